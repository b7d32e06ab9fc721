"""What a format reader found for one article, before cleaning and dating."""

from __future__ import annotations

from dataclasses import dataclass

from index.formats.dating import DateClaim

__all__ = ["FormatName", "Found"]

FormatName = str
"""How an article was stored: "text", "front matter", "html", "jsonl" or "csv"."""


@dataclass(frozen=True)
class Found:
    """One article as its file gave it.

    ``text`` is still to be cleaned (boilerplate, sign-off, a reader-comments section);
    ``comments_text``, when a reader already knows where the comments are (a web page's
    comment section), holds them one per paragraph. ``date`` is the metadata date claim
    (export field, front matter or page metadata), if any. ``row_id`` is set for articles
    that share a file (export rows) and ``where`` names the file (and line) for messages.
    """

    text: str
    format: FormatName
    where: str
    title: str | None = None
    date: DateClaim | None = None
    url: str | None = None
    source: str | None = None
    author: str | None = None
    comments_text: str | None = None
    row_id: str | None = None
