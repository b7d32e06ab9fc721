"""Curated metadata per article (``catalog.toml`` next to the articles).

One table per article id; every key is optional and overrides what was read from the text::

    ["002_483955d933227d2d"]
    title = "Venezuela Seeks US Talks to Restore Embassies Amid Security Review"
    published = "2026-01-10"          # "YYYY-MM-DD", or "YYYY-MM" / "YYYY" when only that is known
    date_source = "dateline"          # "dateline" | "inferred" | "catalog" (the default)
    date_evidence = ["Washington, Jan 10", "On January 9, US diplomatic ..."]  # verbatim
    source = "IANS"

``date_evidence`` is a string or a list of verbatim passages; a list is stored joined by
" … ". Ids with a slash (nested folders) are quoted keys: ``["world/2024/a"]``.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from index.errors import CorpusError
from index.types import DateSource

__all__ = ["EVIDENCE_JOINER", "Catalog", "CatalogEntry", "load_catalog"]

EVIDENCE_JOINER = " … "
_KEYS = {"title", "published", "date_source", "date_evidence", "source"}
_CATALOG_SOURCES = ("dateline", "inferred", "catalog")
_PUBLISHED_RE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@dataclass(frozen=True)
class CatalogEntry:
    """Curated values for one article; None means "use what the text says"."""

    title: str | None = None
    published: str | None = None
    date_source: DateSource | None = None
    date_evidence: tuple[str, ...] = ()
    source: str | None = None

    @property
    def evidence_text(self) -> str | None:
        return EVIDENCE_JOINER.join(self.date_evidence) or None


@dataclass(frozen=True)
class Catalog:
    """Catalog entries keyed by article id (path relative to the corpus folder, no suffix)."""

    entries: Mapping[str, CatalogEntry] = field(default_factory=dict)
    path: str = ""

    def get(self, article_id: str) -> CatalogEntry | None:
        return self.entries.get(article_id)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self.entries

    def __len__(self) -> int:
        return len(self.entries)


def _valid_published(value: str) -> bool:
    """ISO year, month or day that exists: "2024", "2024-07", "2024-02-29"."""
    if not _PUBLISHED_RE.fullmatch(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return value.strip()


def _entry(article_id: str, table: Any) -> CatalogEntry:
    where = f"[{article_id!r}]"
    if not isinstance(table, dict):
        raise ValueError(f'{article_id!r} must be a table (["{article_id}"] with keys)')
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ValueError(
            f"{where} has unknown key(s) {', '.join(unknown)}; allowed: {sorted(_KEYS)}"
        )
    published = table.get("published")
    if isinstance(published, dt.date) and not isinstance(published, dt.datetime):
        published = published.isoformat()
    if published is not None:
        published = _text(published, f"{where} published")
        if not _valid_published(published):
            raise ValueError(
                f"{where} published = {published!r} is not an ISO date (YYYY-MM-DD, YYYY-MM, YYYY)"
            )
    date_source = table.get("date_source")
    if date_source is not None and date_source not in _CATALOG_SOURCES:
        raise ValueError(f"{where} date_source = {date_source!r}; use one of {_CATALOG_SOURCES}")
    if date_source is not None and published is None:
        raise ValueError(f"{where} has date_source but no published date")
    evidence = table.get("date_evidence", ())
    if isinstance(evidence, str):
        evidence = (evidence,)
    if not isinstance(evidence, list | tuple):
        raise ValueError(f"{where} date_evidence must be a string or a list of strings")
    return CatalogEntry(
        title=_text(table["title"], f"{where} title") if "title" in table else None,
        published=published,
        date_source=cast(DateSource, date_source or ("catalog" if published else None)),
        date_evidence=tuple(_text(e, f"{where} date_evidence") for e in evidence),
        source=_text(table["source"], f"{where} source") if "source" in table else None,
    )


def load_catalog(path: Path) -> Catalog:
    """Read and validate a catalog file; any problem is a one-line ``CorpusError``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise CorpusError(f"Cannot read catalog {path}: {e.strerror or e}.") from e
    except UnicodeDecodeError as e:
        raise CorpusError(f"Catalog {path} is not UTF-8 text: save it as UTF-8.") from e
    except tomllib.TOMLDecodeError as e:
        raise CorpusError(
            f"Catalog {path} is not valid TOML: {e}. Fix the file or remove it."
        ) from e
    try:
        entries = {article_id: _entry(article_id, table) for article_id, table in data.items()}
    except ValueError as e:
        raise CorpusError(f"Catalog {path}: {e}. Fix the entry or remove it.") from e
    return Catalog(entries=entries, path=str(path))
