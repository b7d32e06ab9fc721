"""Files -> typed ``Article`` values: reading, decoding, cleaning, dating, cataloguing.

    >>> raw = "WORLD\\n\\nMaduro wins vote\\n\\nCaracas, 29 July 2024\\n\\nHe won."
    >>> a = parse_article(raw, "x")
    >>> a.title, a.published, a.date_source, a.body
    ('Maduro wins vote', '2024-07-29', 'dateline', 'He won.')
    >>> a = parse_article("---\\ntitle: Vote\\ndate: July 29, 2024\\n---\\nHe won.", "y")
    >>> a.title, a.published, a.date_source, a.date_evidence
    ('Vote', '2024-07-29', 'front_matter', 'date: July 29, 2024')

``load_corpus(folder, settings)`` reads every article file under ``folder`` (recursively,
hidden files and folders left out): ``.txt``/``.md`` (with or without front matter),
``.html``/``.htm`` saved pages, ``.jsonl``/``.csv`` exports (see ``index.formats``). The
article id is the path relative to the folder without its suffix, in posix form
(``seeds/000_x.txt`` -> ``000_x``, ``corpus/world/a.md`` -> ``world/a``); an export row's
is ``<file id>#<row id>`` (``feeds/june.jsonl`` row ``a1`` -> ``feeds/june#a1``).
``catalog.toml`` in the folder, when present, overrides title, date and source per id
(see ``index.catalog``).

The date follows one order of trust (``index.formats.dating``): catalog > an export's
date field or front matter > a page's meta tags / JSON-LD > a dateline in the text > a
date in the URL > unknown.

A bad folder is a ``CorpusError``; a bad file is skipped with a one-line warning naming it
(binary, empty, too large, unreadable, nothing left after cleaning, id taken by a file
with another suffix) while the rest loads. Problems inside a file (a bad export row, a web
page with no main text, a CSV without a text column, a date that does not parse) are
warnings naming the file and line; the file's other articles load, and the ids in
``Corpus.keep`` tell the indexer to keep what it indexed from such a file before. Files
whose cleaned article text and comments are identical (headline and catalog metadata
aside) are indexed once: the first id in sorted order is kept and the pair
``(kept_id, duplicate_id)`` is reported.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from index.catalog import Catalog, load_catalog
from index.clean import clean, normalize_text
from index.config import IndexSettings
from index.dates import extract_date
from index.errors import CorpusError
from index.files import read_text_file
from index.formats import EXPORT_SUFFIXES, SUFFIXES, FileProblem, Found, read_file
from index.formats.dating import DateClaim, choose, url_date
from index.formats.markdown import read_markdown
from index.types import Article

__all__ = [
    "CATALOG_NAME",
    "SUFFIXES",
    "Corpus",
    "build_article",
    "load_corpus",
    "parse_article",
    "read_text_file",
]

logger = logging.getLogger(__name__)

CATALOG_NAME = "catalog.toml"
ROW_SEPARATOR = "#"
"""Between a file's id and a row's id in the id of an export row: ``feeds/june#a1``."""
_FIX = "point to another folder: qa index <folder>"


@dataclass(frozen=True)
class Corpus:
    """What a folder yields: articles, files skipped, and same-content files seen once.

    ``formats`` maps each article id to how it was stored ("text", "front matter", "html",
    "jsonl", "csv"). ``keep`` holds article ids, and ``<file id>#`` prefixes, of files that
    had a problem this time: what was indexed from them before stays until they are fixed.
    """

    articles: tuple[Article, ...]
    warnings: tuple[str, ...]
    duplicates: tuple[tuple[str, str], ...]
    formats: Mapping[str, str] = field(default_factory=dict)
    keep: tuple[str, ...] = ()

    def by_format(self) -> dict[str, tuple[int, int]]:
        """``{format: (articles read, articles with a date)}``, in order of first appearance."""
        counts: dict[str, tuple[int, int]] = {}
        for a in self.articles:
            fmt = self.formats.get(a.id, "text")
            read, dated = counts.get(fmt, (0, 0))
            counts[fmt] = (read + 1, dated + (a.published is not None))
        return counts


def _content_hash(*parts: object) -> str:
    blob = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def build_article(
    found: Found, article_id: str, catalog: Catalog | None = None, path: str = ""
) -> Article:
    """One article from what its file gave: cleaned, dated by the order of trust, catalogued.

    Catalog values win over everything; then the file's metadata (title, source, date),
    then what the text says (headline, dateline, agency sign-off); the title falls back to
    the id.
    """
    cleaned = clean(found.text, title=found.title, comments_text=found.comments_text)
    first_paragraph = cleaned.body.split("\n\n", 1)[0]
    dateline = extract_date([*cleaned.header_lines, first_paragraph], title=cleaned.title or None)
    claims = [c for c in (found.date, DateClaim(*dateline)) if c is not None]
    if found.url and not any(c.published for c in claims):
        claims.append(DateClaim(url_date(found.url), "url", found.url))
    published, date_source, evidence = choose(claims)
    entry = catalog.get(article_id) if catalog is not None else None
    title = (entry.title if entry and entry.title else cleaned.title) or article_id
    source = entry.source if entry and entry.source else found.source or cleaned.source
    if entry and entry.published:
        published = entry.published
        date_source = entry.date_source or "catalog"
        evidence = entry.evidence_text
    comments = tuple((c.author, c.text) for c in cleaned.comments)
    parts: list[object] = [title, published, date_source, source, evidence, cleaned.body, comments]
    if found.url or found.author:  # only then, so that plain files keep their hashes
        parts += [found.url, found.author]
    return Article(
        id=article_id,
        title=title,
        published=published,
        date_source=date_source,
        source=source,
        body=cleaned.body,
        comments=cleaned.comments,
        content_hash=_content_hash(*parts),
        path=path,
        date_evidence=evidence,
        url=found.url,
        author=found.author,
    )


def parse_article(
    raw: str, article_id: str, catalog: Catalog | None = None, path: str = ""
) -> Article:
    """One article from the raw text of a .txt/.md file (front matter read, if any).

    Catalog values win over what the file says; without an entry the front matter, then
    the headline and the dateline found in the text are used, and the title falls back to
    the id. Problems with the front matter are logged as warnings.
    """
    found, warnings = read_markdown(raw, path or article_id)
    for line in warnings:
        logger.warning(line)
    return build_article(found, article_id, catalog, path)


def _article_files(folder: Path, warnings: list[str]) -> list[tuple[str, Path]]:
    """(file id, path) of every article file under ``folder``, hidden entries left out."""

    def unreadable(error: OSError) -> None:
        warnings.append(f"Skipped folder {error.filename}: cannot be listed ({error.strerror}).")

    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(root) / name
            if name.startswith(".") or path.suffix.lower() not in SUFFIXES:
                continue
            found.append((path.relative_to(folder).with_suffix("").as_posix(), path))
    return sorted(found)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", normalize_text(text)).strip()


def _check_catalog(catalog: Catalog, ids: set[str], raws: dict[str, str]) -> list[str]:
    """Warnings for catalog entries that match no article or quote evidence not in it."""
    warnings: list[str] = []
    for article_id, entry in sorted(catalog.entries.items()):
        if article_id not in ids:
            warnings.append(
                f"{catalog.path}: entry {article_id!r} matches no article file; "
                "fix the id (path without suffix) or remove the entry."
            )
            continue
        if article_id not in raws:
            continue
        text = _collapse(raws[article_id])
        for passage in entry.date_evidence:
            if _collapse(passage) not in text:
                warnings.append(
                    f"{catalog.path}: date_evidence of {article_id!r} is not verbatim in the "
                    f"article: {passage[:60]!r}; copy it exactly from the text."
                )
    return warnings


def _article_id(file_id: str, found: Found) -> str:
    return file_id if found.row_id is None else f"{file_id}{ROW_SEPARATOR}{found.row_id}"


def load_corpus(folder: Path, settings: IndexSettings) -> Corpus:
    """Every article under ``folder`` (see the module doc for ids, skips and duplicates)."""
    folder = Path(folder)
    if not folder.exists():
        raise CorpusError(
            f"Corpus folder {folder} does not exist. Create it with articles, or {_FIX}"
        )
    if not folder.is_dir():
        raise CorpusError(f"{folder} is not a folder of articles. Pass a folder, or {_FIX}")
    catalog_path = folder / CATALOG_NAME
    catalog = load_catalog(catalog_path) if catalog_path.is_file() else Catalog()
    warnings: list[str] = []
    files = _article_files(folder, warnings)
    if not files:
        raise CorpusError(
            f"No articles in {folder} (looked for {' '.join(SUFFIXES)} files). "
            f"Add article files, or {_FIX}"
        )

    articles: list[Article] = []
    duplicates: list[tuple[str, str]] = []
    formats: dict[str, str] = {}
    keep: list[str] = []
    taken: dict[str, str] = {}
    raws: dict[str, str] = {}
    seen_content: dict[str, str] = {}
    for file_id, path in files:
        if file_id in taken:
            warnings.append(
                f"Skipped {path}: article id {file_id!r} is already taken by "
                f"{taken[file_id]}; rename one of them."
            )
            continue
        taken[file_id] = str(path)
        export = path.suffix.lower() in EXPORT_SUFFIXES
        try:
            found_all, problems = read_file(path, settings)
        except FileProblem as e:
            warnings.append(str(e))
            keep.append(file_id)
            continue
        except CorpusError as e:
            warnings.append(f"Skipped: {e}")
            continue
        warnings.extend(problems)
        if export and problems:
            keep.append(file_id + ROW_SEPARATOR)
        for found in found_all:
            article_id = _article_id(file_id, found)
            if export and article_id in taken:
                warnings.append(
                    f"{found.where}: article id {article_id!r} is already taken by "
                    f"{taken[article_id]}; row skipped. Rename one of them."
                )
                continue
            taken[article_id] = found.where
            article = build_article(found, article_id, catalog, path=str(path))
            if not article.body:
                if found.format in ("text", "front matter"):
                    warnings.append(
                        f"Skipped {path}: no article text left after cleaning (only a "
                        "headline, dates or page boilerplate)."
                    )
                else:
                    warnings.append(
                        f"{found.where}: no article text left after cleaning (only a "
                        "headline, dates or page boilerplate); not indexed."
                    )
                    keep.append(article_id)
                continue
            raws[article_id] = found.text
            formats[article_id] = found.format
            fingerprint = _content_hash(
                article.body, [(c.author, c.text) for c in article.comments]
            )
            if fingerprint in seen_content:
                duplicates.append((seen_content[fingerprint], article_id))
                continue
            seen_content[fingerprint] = article_id
            articles.append(article)

    warnings.extend(_check_catalog(catalog, set(taken), raws))
    for line in warnings:
        logger.warning(line)
    for kept, dropped in duplicates:
        logger.info("%s has the same content as %s: indexed once, as %s", dropped, kept, kept)
    if not articles and not duplicates:
        raise CorpusError(
            f"None of the {len(files)} article files in {folder} could be used "
            f"(first problem: {warnings[0] if warnings else 'unknown'}). Fix them, or {_FIX}"
        )
    return Corpus(
        articles=tuple(articles),
        warnings=tuple(warnings),
        duplicates=tuple(duplicates),
        formats=formats,
        keep=tuple(keep),
    )
