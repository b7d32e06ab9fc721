"""Exports holding many articles: ``.jsonl`` (one JSON object a line) and ``.csv`` (a header row).

    >>> rows = '{"id": "a1", "title": "Oil deal", "text": "It was signed.", "date": "2024-07-03"}'
    >>> rows += '\\n{"title": "No text here"}\\n{not json\\n'
    >>> found, warnings = read_jsonl(rows, "feed.jsonl")
    >>> [(f.row_id, f.title, f.text, f.date.published) for f in found]
    [('a1', 'Oil deal', 'It was signed.', '2024-07-03')]
    >>> for w in warnings: print(w)
    feed.jsonl:2: no article text (looked for text, body, content); row skipped.
    feed.jsonl:3: not valid JSON (Expecting property name enclosed in double quotes); row skipped.

The keys (columns) are those of :class:`~index.formats.fields.FieldNames`, set with the
``QA_*_FIELDS`` settings. Each row is one article; its ``row_id`` is the row's id when it
has one, else derived from its URL (``u`` + 16 hex digits of its SHA-256), else from its
title and text (``c`` + 16 hex digits), so re-exporting the same articles gives the same ids.
``index.ingest`` makes the article id ``<file id>#<row id>`` (``feeds/june#a1`` for
``feeds/june.jsonl``), unique across files and stable while the file keeps its name.

A bad row (not JSON, not an object, no text, text over ``max_article_bytes``, an id
already used in the file) is skipped with one warning naming the file and line; the other
rows are read. A CSV whose header has no text column is one warning and no rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping

from index.formats.dating import metadata_date
from index.formats.fields import FieldNames
from index.formats.found import Found

__all__ = ["derived_id", "read_csv", "read_jsonl"]

_NO_LIMIT = 2**62


def derived_id(url: str | None, title: str, text: str) -> str:
    """The id of a row that has none: from its URL, else from its title and text.

    >>> url = "https://news.example/a"
    >>> derived_id(url, "T", "x") == derived_id(url, "Another title", "")
    True
    >>> derived_id(None, "T", "x")
    'c3f93a652e45403fb'
    """
    if url:
        return "u" + hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:16]
    blob = json.dumps([title, text], ensure_ascii=False).encode("utf-8", "surrogatepass")
    return "c" + hashlib.sha256(blob).hexdigest()[:16]


def _scalar(value: object) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


def _row(
    row: Mapping[str, object],
    where: str,
    fmt: str,
    names: FieldNames,
    max_article_bytes: int,
) -> tuple[Found | None, list[str]]:
    """One row as an article, or None with the warning that says why it was skipped."""
    picked = names.pick(row, names.text)
    if picked is None or not isinstance(picked[1], str):
        looked = ", ".join(names.text)
        return None, [f"{where}: no article text (looked for {looked}); row skipped."]
    text = picked[1]
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_article_bytes:
        return None, [
            f"{where}: the article text is {size:,} bytes, over the {max_article_bytes:,}-byte "
            "limit (QA_MAX_FILE_BYTES / max_file_bytes); row skipped."
        ]

    def value(keys: tuple[str, ...]) -> str | None:
        found = names.pick(row, keys)
        return _scalar(found[1]) if found else None

    title, url = value(names.title), value(names.url)
    date, problem = metadata_date(row, names, "metadata", where)
    row_id = value(names.id) or derived_id(url, title or "", text)
    found = Found(
        text=text,
        format=fmt,
        where=where,
        title=title,
        date=date,
        url=url,
        source=value(names.source),
        author=value(names.author),
        row_id=row_id,
    )
    return found, [problem] if problem else []


def _unique(
    rows: Iterator[tuple[Found | None, list[str]]], path: str
) -> tuple[list[Found], list[str]]:
    """Keep the first row of each id; later ones are skipped with a warning."""
    kept: list[Found] = []
    warnings: list[str] = []
    first: dict[str, str] = {}
    for found, problems in rows:
        warnings.extend(problems)
        if found is None:
            continue
        assert found.row_id is not None
        if found.row_id in first:
            warnings.append(
                f"{found.where}: id {found.row_id!r} was already used at {first[found.row_id]}; "
                "row skipped. Give each row its own id."
            )
            continue
        first[found.row_id] = found.where
        kept.append(found)
    return kept, warnings


def read_jsonl(
    text: str,
    path: str,
    names: FieldNames | None = None,
    max_article_bytes: int = _NO_LIMIT,
) -> tuple[list[Found], list[str]]:
    """The articles of a JSON Lines export and a warning per skipped row (see the module doc)."""
    names = names or FieldNames()

    def rows() -> Iterator[tuple[Found | None, list[str]]]:
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                yield None, [f"{where}: not valid JSON ({e.msg}); row skipped."]
                continue
            if not isinstance(row, dict):
                kind = type(row).__name__
                yield None, [f"{where}: a JSON {kind}, not an object; row skipped."]
                continue
            yield _row(row, where, "jsonl", names, max_article_bytes)

    return _unique(rows(), path)


def read_csv(
    text: str,
    path: str,
    names: FieldNames | None = None,
    max_article_bytes: int = _NO_LIMIT,
) -> tuple[list[Found], list[str]]:
    """The articles of a CSV export (header row first) and a warning per skipped row.

    >>> found, warnings = read_csv("headline,story\\nOil deal,It was signed.\\n", "x.csv")
    >>> print(*warnings)  # doctest: +NORMALIZE_WHITESPACE
    x.csv: no text column (looked for text, body, content; the header has headline, story);
    nothing read. Rename the column or set QA_TEXT_FIELDS.
    """
    names = names or FieldNames()
    # one field may hold a whole article: let the csv module read fields that long
    csv.field_size_limit(max(csv.field_size_limit(), min(max_article_bytes + 1, 2**31 - 1)))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h for h in (reader.fieldnames or []) if h is not None]
    except csv.Error as e:
        return [], [f"{path}: the header row cannot be read ({e}); nothing read."]
    folded = {h.strip().lower() for h in header}
    if not any(n.lower() in folded for n in names.text):
        looked, has = ", ".join(names.text), ", ".join(h.strip() for h in header) or "nothing"
        return [], [
            f"{path}: no text column (looked for {looked}; the header has {has}); nothing "
            "read. Rename the column or set QA_TEXT_FIELDS."
        ]

    def rows() -> Iterator[tuple[Found | None, list[str]]]:
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield None, [f"{path}:{start}: not a valid CSV row ({e}); row skipped."]
                start = reader.line_num + 1
                continue
            where = f"{path}:{start}"
            start = reader.line_num + 1
            clean = {k: v for k, v in row.items() if k is not None}
            yield _row(clean, where, "csv", names, max_article_bytes)

    return _unique(rows(), path)
