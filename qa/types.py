"""Typed values at the seams of the answering pipeline: Hit, Citation, ShortAnswer, Answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from index.types import ChunkKind


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with the scores that ranked it."""

    chunk_id: str
    article_id: str
    kind: ChunkKind
    text: str
    start: int
    end: int
    dense: float = 0.0  # cosine similarity, 0 when not retrieved densely
    bm25: float = 0.0
    fused: float = 0.0  # reciprocal rank fusion score
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    """One numbered source: ``quote == article.body[start:end]`` (comments_text for comments)."""

    n: int
    article_id: str
    title: str
    published: str | None
    quote: str
    start: int
    end: int
    kind: ChunkKind = "body"
    score: float = 0.0
    url: str | None = None
    """Link to the original article (a page's canonical URL, an export's url), when known."""
    source: str | None = None
    """Site or agency the article comes from, when known."""
    date_source: str | None = None
    """Which rule gave ``published`` ("catalog", "metadata", "front_matter", "html_meta",
    "dateline", "url", "inferred", "unknown"): see ``index.formats.dating``."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ShortAnswer:
    """The direct answer: ``text`` is a verbatim span of citation ``n``'s source text,
    ``source_text[start:end] == text`` with ``citation.start <= start < end <= citation.end``
    (offsets into the article body, or its comments_text, like the citation's)."""

    text: str
    n: int
    start: int
    end: int
    label: str = ""  # the spaCy entity label it was found as, or "OTHER" for a noun chunk
    score: float = 0.0

    @property
    def lead(self) -> str:
        """How it leads an answer's text: ``"Delcy Rodriguez [1]"``."""
        return f"{self.text} [{self.n}]"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """What every way in (API, CLI, page, benchmark) gets back.

    ``citations`` are what the ``[n]`` markers in ``text`` point at. When ``abstained`` is
    True, ``text`` says plainly that the articles don't contain the answer and
    ``related`` holds the closest passages, offered as reading, not as an answer.
    """

    text: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    related: tuple[Citation, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    question: str = ""
    resolved_question: str = ""
    mode: str = "extractive"
    notes: tuple[str, ...] = ()
    short: ShortAnswer | None = None
    confidence: float | None = None  # calibrated P(the answer holds what was asked)

    @property
    def body(self) -> str:
        """``text`` after its leading short answer ("Delcy Rodriguez [1]"), which the page
        shows apart, in bold; all of ``text`` when there is none."""
        if self.short is None:
            return self.text
        return self.text.removeprefix(self.short.lead).lstrip("\n")

    def to_json(self) -> dict[str, Any]:
        """The stable ``qa ask --json`` shape; scripts outside the project rely on these names."""
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [
                {
                    "n": c.n,
                    "article_id": c.article_id,
                    "title": c.title,
                    "published": c.published,
                    "quote": c.quote,
                    "start": c.start,
                    "end": c.end,
                    "kind": c.kind,
                    "score": round(c.score, 4),
                    "url": c.url,
                    "source": c.source,
                    "date_source": c.date_source,
                }
                for c in self.citations
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "short": None
            if self.short is None
            else {
                "text": self.short.text,
                "n": self.short.n,
                "start": self.short.start,
                "end": self.short.end,
                "label": self.short.label,
            },
            "confidence": None if self.confidence is None else round(self.confidence, 4),
        }
