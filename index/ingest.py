"""Files -> typed ``Article`` values: reading, decoding, cleaning, dating, cataloguing.

    >>> raw = "WORLD\\n\\nMaduro wins vote\\n\\nCaracas, 29 July 2024\\n\\nHe won."
    >>> a = parse_article(raw, "x")
    >>> a.title, a.published, a.date_source, a.body
    ('Maduro wins vote', '2024-07-29', 'dateline', 'He won.')

``load_corpus(folder, settings)`` reads every ``.txt`` and ``.md`` file under ``folder``
(recursively, hidden files and folders left out). The article id is the path relative to
the folder without its suffix, in posix form (``seeds/000_x.txt`` -> ``000_x``,
``corpus/world/a.md`` -> ``world/a``). ``catalog.toml`` in the folder, when present,
overrides title, date and source per id (see ``index.catalog``).

A bad folder is a ``CorpusError``; a bad file is skipped with a one-line warning naming it
(binary, empty, too large, unreadable, nothing left after cleaning, id taken by a file
with another suffix) while the rest loads. Files whose cleaned article text and comments
are identical (headline and catalog metadata aside) are indexed once: the first id in
sorted order is kept and the pair ``(kept_id, duplicate_id)`` is reported.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from index.catalog import Catalog, load_catalog
from index.clean import clean, normalize_text
from index.config import IndexSettings
from index.dates import extract_date
from index.errors import CorpusError
from index.types import Article

__all__ = [
    "CATALOG_NAME",
    "SUFFIXES",
    "Corpus",
    "load_corpus",
    "parse_article",
    "read_text_file",
]

logger = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md")
CATALOG_NAME = "catalog.toml"
_BINARY_SIGNATURES = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0",
)
_FIX = "point to another folder: qa index <folder>"


@dataclass(frozen=True)
class Corpus:
    """What a folder yields: articles, files skipped, and same-content files seen once."""

    articles: tuple[Article, ...]
    warnings: tuple[str, ...]
    duplicates: tuple[tuple[str, str], ...]


def _not_text(path: Path, why: str) -> CorpusError:
    return CorpusError(
        f"{path} is not a text file ({why}): only UTF-8 or Latin-1 .txt/.md articles can be "
        "indexed; convert it to plain text or remove it."
    )


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252/Latin-1; binary is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise _not_text(path, "broken UTF-16") from e
    else:
        if data.startswith(_BINARY_SIGNATURES):
            raise _not_text(path, "binary file signature")
        if b"\x00" in data:
            raise _not_text(path, "contains NUL bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
            logger.info("%s is not valid UTF-8: read as Latin-1 (cp1252)", path)
    controls = sum(1 for ch in text if ch not in "\t\n\r\f\v" and unicodedata.category(ch) == "Cc")
    if "\x00" in text or controls > len(text) * 0.01:
        raise _not_text(path, f"{controls} control characters")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text_file(path: Path, max_bytes: int) -> str:
    """The file's text with ``\\n`` newlines; any problem is a one-line ``CorpusError``.

    Refused: files over ``max_bytes``, unreadable files, binary content, empty files.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(
                f"{path} is {size:,} bytes, over the {max_bytes:,}-byte limit: split it, or "
                "raise the limit (QA_MAX_FILE_BYTES / max_file_bytes)."
            )
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except PermissionError as e:
        raise CorpusError(f"{path} cannot be read (permission denied): chmod a+r {path}") from e
    except OSError as e:
        raise CorpusError(f"{path} cannot be read ({e.strerror or e}).") from e
    if len(data) > max_bytes:
        raise CorpusError(f"{path} grew past the {max_bytes:,}-byte limit while being read.")
    text = _decode(data, path)
    if not text.strip():
        raise CorpusError(
            f"{path} is empty (or only whitespace): add the article text or remove it."
        )
    return text


def _content_hash(*parts: object) -> str:
    blob = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def parse_article(
    raw: str, article_id: str, catalog: Catalog | None = None, path: str = ""
) -> Article:
    """One article from its raw text: cleaned, dated, catalog values applied.

    Catalog values win over what the text says; without an entry the headline and the
    dateline found in the text are used, and the title falls back to the id.
    """
    cleaned = clean(raw)
    first_paragraph = cleaned.body.split("\n\n", 1)[0]
    published, date_source, evidence = extract_date(
        [*cleaned.header_lines, first_paragraph], title=cleaned.title or None
    )
    entry = catalog.get(article_id) if catalog is not None else None
    title = (entry.title if entry and entry.title else cleaned.title) or article_id
    source = entry.source if entry and entry.source else cleaned.source
    if entry and entry.published:
        published = entry.published
        date_source = entry.date_source or "catalog"
        evidence = entry.evidence_text
    comments = tuple((c.author, c.text) for c in cleaned.comments)
    content_hash = _content_hash(
        title, published, date_source, source, evidence, cleaned.body, comments
    )
    return Article(
        id=article_id,
        title=title,
        published=published,
        date_source=date_source,
        source=source,
        body=cleaned.body,
        comments=cleaned.comments,
        content_hash=content_hash,
        path=path,
        date_evidence=evidence,
    )


def _article_files(folder: Path, warnings: list[str]) -> list[tuple[str, Path]]:
    """(article id, path) of every .txt/.md under ``folder``, hidden entries left out."""

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
        raise CorpusError(f"No .txt or .md articles in {folder}. Add article files, or {_FIX}")

    articles: list[Article] = []
    duplicates: list[tuple[str, str]] = []
    first_path: dict[str, Path] = {}
    raws: dict[str, str] = {}
    seen_content: dict[str, str] = {}
    for article_id, path in files:
        if article_id in first_path:
            warnings.append(
                f"Skipped {path}: article id {article_id!r} is already taken by "
                f"{first_path[article_id]}; rename one of them."
            )
            continue
        first_path[article_id] = path
        try:
            raw = read_text_file(path, settings.max_file_bytes)
        except CorpusError as e:
            warnings.append(f"Skipped: {e}")
            continue
        article = parse_article(raw, article_id, catalog, path=str(path))
        if not article.body:
            warnings.append(
                f"Skipped {path}: no article text left after cleaning (only a headline, "
                "dates or page boilerplate)."
            )
            continue
        raws[article_id] = raw
        fingerprint = _content_hash(article.body, [(c.author, c.text) for c in article.comments])
        if fingerprint in seen_content:
            duplicates.append((seen_content[fingerprint], article_id))
            continue
        seen_content[fingerprint] = article_id
        articles.append(article)

    warnings.extend(_check_catalog(catalog, set(first_path), raws))
    for line in warnings:
        logger.warning(line)
    for kept, dropped in duplicates:
        logger.info("%s has the same content as %s: indexed once, as %s", dropped, kept, kept)
    if not articles and not duplicates:
        raise CorpusError(
            f"None of the {len(files)} article files in {folder} could be used "
            f"(first problem: {warnings[0] if warnings else 'unknown'}). Fix them, or {_FIX}"
        )
    return Corpus(articles=tuple(articles), warnings=tuple(warnings), duplicates=tuple(duplicates))
