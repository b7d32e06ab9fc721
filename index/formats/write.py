"""Writing articles in every format the indexer reads (for benchmarks, tests and exports).

    >>> import tempfile
    >>> from index.config import IndexSettings
    >>> from index.ingest import load_corpus
    >>> rec = ArticleRecord("a1", "Oil deal signed", "The deal was signed on Wednesday.",
    ...                     published="2024-07-03", url="https://news.example/oil", source="AFP")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for fmt in WRITE_FORMATS:
    ...         _ = write_corpus(Path(tmp) / fmt, [rec], fmt)
    ...     got = {fmt: load_corpus(Path(tmp) / fmt, IndexSettings()).articles[0]
    ...            for fmt in WRITE_FORMATS}
    >>> {fmt: (a.id, a.published, a.date_source) for fmt, a in got.items()}
    ... # doctest: +NORMALIZE_WHITESPACE
    {'text': ('a1', None, 'unknown'), 'markdown': ('a1', '2024-07-03', 'front_matter'),
     'html': ('a1', '2024-07-03', 'html_meta'), 'jsonl': ('articles#a1', '2024-07-03', 'metadata'),
     'csv': ('articles#a1', '2024-07-03', 'metadata')}
    >>> [fmt for fmt, a in got.items() if a.url == "https://news.example/oil"]
    ['markdown', 'html', 'jsonl', 'csv']

"text" is the title line, a blank line and the text: nothing but the words, as a plain
``.txt`` (its date, if any, can only come from a dateline). The exports write the keys given
by ``names`` (the first name of each list: with ``FieldNames(published=("publish_date",))``
the date goes under ``publish_date``); ``None`` values are left out (JSONL) or empty (CSV).
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from index.formats.fields import FieldNames

__all__ = [
    "WRITE_FORMATS",
    "ArticleRecord",
    "WriteFormat",
    "html_page",
    "markdown_text",
    "write_corpus",
    "write_csv",
    "write_jsonl",
]

WriteFormat = Literal["text", "markdown", "html", "jsonl", "csv"]
WRITE_FORMATS: tuple[WriteFormat, ...] = ("text", "markdown", "html", "jsonl", "csv")
EXPORT_NAME = "articles"
"""File stem of the one export file ``write_corpus`` writes: ids become ``articles#<id>``."""


@dataclass(frozen=True)
class ArticleRecord:
    """One article to write: ``id`` is a file stem (one file per article) or a row id."""

    id: str
    title: str
    text: str
    published: str | None = None
    url: str | None = None
    source: str | None = None
    author: str | None = None


def _row(rec: ArticleRecord, names: FieldNames) -> dict[str, str | None]:
    return {
        names.id[0]: rec.id,
        names.title[0]: rec.title,
        names.text[0]: rec.text,
        names.published[0]: rec.published,
        names.url[0]: rec.url,
        names.source[0]: rec.source,
        names.author[0]: rec.author,
    }


def write_jsonl(
    path: Path, records: Iterable[ArticleRecord], names: FieldNames | None = None
) -> Path:
    """One JSON object a line, UTF-8; keys from ``names``, ``None`` values left out."""
    names = names or FieldNames()
    lines = [
        json.dumps({k: v for k, v in _row(r, names).items() if v is not None}, ensure_ascii=False)
        for r in records
    ]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def write_csv(
    path: Path, records: Iterable[ArticleRecord], names: FieldNames | None = None
) -> Path:
    """A header row, then one row per article (quoted where needed; newlines kept)."""
    names = names or FieldNames()
    rows = [_row(r, names) for r in records]
    header = list(_row(ArticleRecord("", "", ""), names))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
    return path


def markdown_text(rec: ArticleRecord, names: FieldNames | None = None) -> str:
    """The article as Markdown with YAML front matter (title, date, url, source, author).

    >>> print(markdown_text(ArticleRecord("a", "Vote: results", "He won.", "2024-07-29")))
    ---
    title: 'Vote: results'
    published: '2024-07-29'
    ---
    <BLANKLINE>
    He won.
    <BLANKLINE>
    """
    import yaml

    names = names or FieldNames()
    meta = {k: v for k, v in _row(rec, names).items() if v is not None}
    for key in (names.id[0], names.text[0]):
        meta.pop(key, None)
    block = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{block}---\n\n{rec.text.strip()}\n"


def html_page(rec: ArticleRecord) -> str:
    """A small saved page: meta tags and JSON-LD for title, date, site, author and link."""
    e = html.escape
    meta = [f'<meta property="og:title" content="{e(rec.title)}">']
    if rec.source:
        meta.append(f'<meta property="og:site_name" content="{e(rec.source)}">')
    if rec.author:
        meta.append(f'<meta name="author" content="{e(rec.author)}">')
    if rec.published:
        meta.append(f'<meta property="article:published_time" content="{e(rec.published)}">')
    if rec.url:
        meta.append(f'<link rel="canonical" href="{e(rec.url)}">')
    paragraphs = [p.strip() for p in rec.text.split("\n\n") if p.strip()]
    body = "".join(f"<p>{e(p)}</p>\n" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>{e(rec.title)}</title>\n" + "\n".join(meta) + "\n</head><body>\n"
        f"<article><h1>{e(rec.title)}</h1>\n{body}</article>\n</body></html>\n"
    )


def write_corpus(
    folder: Path,
    records: Sequence[ArticleRecord],
    fmt: WriteFormat,
    names: FieldNames | None = None,
) -> list[Path]:
    """Write ``records`` into ``folder`` (created) in one format; returns the files written.

    One file per article (``<id>.txt``, ``<id>.md``, ``<id>.html``: the article id is the
    record id) or one export (``articles.jsonl``, ``articles.csv``: ids ``articles#<id>``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        return [write_jsonl(folder / f"{EXPORT_NAME}.jsonl", records, names)]
    if fmt == "csv":
        return [write_csv(folder / f"{EXPORT_NAME}.csv", records, names)]
    paths: list[Path] = []
    for rec in records:
        if fmt == "text":
            path, text = folder / f"{rec.id}.txt", f"{rec.title}\n\n{rec.text.strip()}\n"
        elif fmt == "markdown":
            path, text = folder / f"{rec.id}.md", markdown_text(rec, names)
        elif fmt == "html":
            path, text = folder / f"{rec.id}.html", html_page(rec)
        else:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(WRITE_FORMATS)}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
