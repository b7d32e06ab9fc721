"""Typed values that flow through the indexing stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ChunkKind = Literal["body", "comment"]
DateSource = Literal[
    "catalog", "metadata", "front_matter", "html_meta", "dateline", "url", "inferred", "unknown"
]
"""Which rule gave ``Article.published``, in the order of trust (``index.formats.dating``):
the curated catalog ("catalog", or the "dateline"/"inferred" it records), an export's date
field ("metadata"), Markdown front matter ("front_matter"), a web page's meta tags or JSON-LD
("html_meta"), a dateline in the text ("dateline"), a date in the article's URL ("url"),
else "unknown"."""


@dataclass(frozen=True)
class Comment:
    """A reader comment: opinion, never reported fact.

    ``start``/``end`` index into ``Article.comments_text`` (all comments of the article
    joined by blank lines), so comment chunks keep exact offsets just like body chunks.
    """

    author: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Article:
    """One news article after cleaning.

    ``published`` is an ISO 8601 date at the precision the text supports ("2026-01-10",
    "2024-07") or None when unknown: never made up. ``url`` is the link to the original
    (a page's canonical URL, an export's or front matter's ``url``) and ``author`` the
    byline, when known.
    """

    id: str
    title: str
    published: str | None
    date_source: DateSource
    source: str | None
    body: str
    comments: tuple[Comment, ...] = ()
    content_hash: str = ""
    path: str = ""
    date_evidence: str | None = None
    url: str | None = None
    author: str | None = None

    @property
    def comments_text(self) -> str:
        return "\n\n".join(c.text for c in self.comments)


@dataclass(frozen=True)
class Chunk:
    """A window of an article's body (or of its comments_text when kind == "comment").

    ``article.body[start:end] == text`` (or ``article.comments_text[start:end]``) always holds.
    ``embed_text`` is what the embedder sees (may carry a title/date header).
    """

    id: str
    article_id: str
    kind: ChunkKind
    text: str
    start: int
    end: int
    embed_text: str = field(default="", compare=False)
