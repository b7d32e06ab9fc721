"""Sentence vectors computed while indexing, so answering never embeds article text.

The evidence stage compares the question with single sentences. Embedding those sentences
at question time cost ~150 ms per question on a 10k-chunk corpus; instead, the indexer
pools them from the forward pass that embeds each chunk (:class:`index.embed.SpanEmbedder`):
each sentence's vector is the mean of its tokens, read in the context of its chunk, and a
sentence in two overlapping chunks gets the normalised sum of both readings. That costs
no extra model pass, and the chunk vectors are exactly what ``embed`` gives.

Sentences are those of :func:`index.chunk.split_sentences` over the article body (kind
``body``) and over ``comments_text`` (kind ``comment``), keyed by ``(kind, start, end)``.

>>> from index.types import Article, Chunk
>>> a = Article("a", "T", None, "unknown", None, "One two. Three four.")
>>> c = Chunk("a::body::x::0", "a", "body", a.body, 0, 20, embed_text="T\\n" + a.body)
>>> plan = sentence_spans(a, [c])
>>> plan.spans[c.id], [(k, s, e) for k, s, e in plan.keys]
([(2, 10), (11, 22)], [(0, 0, 8), (0, 9, 20)])
>>> vecs = plan.combine({c.id: np.array([[1.0, 0.0], [0.0, 1.0]])}, dim=2)
>>> vecs.vectors.tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.chunk import split_sentences
from index.embed import Span, normalize
from index.types import Article, Chunk

log = logging.getLogger(__name__)

KINDS = ("body", "comment")
"""Kind codes stored in the files: 0 = body, 1 = comment."""


@dataclass(frozen=True)
class SentenceMatrix:
    """One article version's sentence vectors: ``keys[i] = (kind code, start, end)``.

    All-zero rows mark sentences that got no vector (cut off by the model's length limit).
    """

    keys: np.ndarray  # int64, shape (n, 3)
    vectors: np.ndarray  # float16 on disk, shape (n, dim)

    def __len__(self) -> int:
        return len(self.keys)

    def fits(self, article: Article) -> bool:
        """Whether every key is a non-empty span inside the article's body or comments."""
        if not len(self.keys):
            return True
        kinds, starts, ends = self.keys[:, 0], self.keys[:, 1], self.keys[:, 2]
        limits = np.where(kinds == 0, len(article.body), len(article.comments_text))
        return bool(
            np.isin(kinds, (0, 1)).all() and (starts >= 0).all() and (starts < ends).all()
            and (ends <= limits).all()
        )  # fmt: skip


@dataclass(frozen=True)
class SpanPlan:
    """Which spans of which chunk's ``embed_text`` to pool, and how they map to sentences."""

    keys: list[tuple[int, int, int]]
    spans: dict[str, list[Span]]  # by chunk id, in embed_text coordinates
    owners: dict[str, list[int]]  # by chunk id, the sentence index of each span

    def combine(self, pooled: dict[str, np.ndarray], dim: int) -> SentenceMatrix:
        """Sum each sentence's readings from the chunks holding it, then normalise."""
        acc = np.zeros((len(self.keys), dim), dtype=np.float32)
        for chunk_id, rows in pooled.items():
            for row, owner in zip(rows, self.owners[chunk_id], strict=True):
                acc[owner] += row
        keys = np.array(self.keys, dtype=np.int64).reshape(-1, 3)
        return SentenceMatrix(keys, normalize(acc).astype(np.float16))


def sentence_spans(article: Article, chunks: Sequence[Chunk]) -> SpanPlan:
    """Every sentence of ``article``, and the part of it inside each of ``chunks``."""
    keys: list[tuple[int, int, int]] = []
    index: dict[str, list[tuple[int, int, int]]] = {}
    for code, kind in enumerate(KINDS):
        text = article.body if kind == "body" else article.comments_text
        index[kind] = []
        for s, e in split_sentences(text):
            index[kind].append((s, e, len(keys)))
            keys.append((code, s, e))
    spans: dict[str, list[Span]] = {}
    owners: dict[str, list[int]] = {}
    for c in chunks:
        head = len(c.embed_text) - len(c.text)
        mine: list[Span] = []
        mine_owners: list[int] = []
        for s, e, i in index[c.kind]:
            if s < c.end and e > c.start:
                mine.append((max(s, c.start) - c.start + head, min(e, c.end) - c.start + head))
                mine_owners.append(i)
        spans[c.id] = mine
        owners[c.id] = mine_owners
    return SpanPlan(keys, spans, owners)


class SentenceVectorFiles:
    """One ``<article hash>.npz`` per article version in ``folder`` (written atomically)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, article_hash: str) -> Path:
        return self.folder / f"{article_hash}.npz"

    def has(self, article_hash: str) -> bool:
        return self.path(article_hash).is_file()

    def write(self, article_hash: str, matrix: SentenceMatrix) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(article_hash)
        tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=matrix.keys, vectors=matrix.vectors)
        tmp.replace(target)

    def read(self, article_hash: str) -> SentenceMatrix | None:
        """The stored matrix, or None when it is missing or unreadable (callers fall back)."""
        path = self.path(article_hash)
        try:
            with np.load(path) as data:
                keys, vectors = data["keys"], data["vectors"]
        except FileNotFoundError:
            return None
        except Exception as e:  # a damaged file only costs speed: answering falls back
            log.warning("ignoring unreadable sentence vectors %s (%s)", path, e)
            return None
        if keys.ndim != 2 or keys.shape[1:] != (3,) or len(keys) != len(vectors):
            log.warning("ignoring malformed sentence vectors %s", path)
            return None
        return SentenceMatrix(keys.astype(np.int64), vectors)

    def prune(self, keep: Iterable[str]) -> int:
        """Delete files of article versions not in ``keep``; returns how many."""
        wanted = {f"{h}.npz" for h in keep}
        removed = 0
        if not self.folder.is_dir():
            return 0
        for p in self.folder.iterdir():
            if p.name not in wanted and p.suffix == ".npz":
                p.unlink(missing_ok=True)
                removed += 1
        return removed

    def clear(self) -> None:
        self.prune(())
