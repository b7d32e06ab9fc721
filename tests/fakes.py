"""Fakes that still behave: injected through the same seams as the real parts."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence

import numpy as np

from index.embed import normalize
from index.types import Article, Comment

_WORD = re.compile(r"\w+")


def _bucket(feature: str, dim: int) -> int:
    return (
        int.from_bytes(hashlib.md5(feature.encode("utf-8", "surrogatepass")).digest()[:4], "big")
        % dim
    )


class FakeEmbedder:
    """Deterministic hashed bag of words plus character trigrams, L2-normalised.

    Texts that share words score higher than texts that don't, so ranking still means
    something. Every call is recorded in ``calls`` (a list of batches).
    """

    def __init__(self, dim: int = 64, model_id: str = "fake-bow-64", delay: float = 0.0) -> None:
        self.dim = dim
        self.model_id = model_id
        self.delay = delay
        self.calls: list[list[str]] = []

    @property
    def embedded(self) -> int:
        return sum(len(batch) for batch in self.calls)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if self.delay:
            time.sleep(self.delay)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            lowered = text.lower()
            for word in _WORD.findall(lowered):
                out[row, _bucket("w:" + word, self.dim)] += 1.0
            for i in range(len(lowered) - 2):
                out[row, _bucket("c:" + lowered[i : i + 3], self.dim)] += 0.25
        return normalize(out)


class SpanFakeEmbedder(FakeEmbedder):
    """A :class:`FakeEmbedder` that also pools spans (as the real model does while indexing).

    A span's vector is the bag of words of the span text plus a little of its whole text
    (the "context"), so it ranks like the span but is not the span embedded alone.
    ``span_calls`` counts the texts passed to ``embed_spans``.
    """

    span_calls = 0

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        self.span_calls += len(texts)
        whole = FakeEmbedder.embed(self, texts)
        self.calls.pop()
        pooled = []
        for text, context, mine in zip(texts, whole, spans, strict=True):
            parts = FakeEmbedder.embed(self, [text[s:e] for s, e in mine])
            self.calls.pop()
            pooled.append(normalize(parts + 0.2 * context))
        return whole, pooled


class AnnouncingEmbedder(FakeEmbedder):
    """Prints "batch" after each embedding call, so a parent process can time a SIGKILL."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = super().embed(texts)
        print("batch", flush=True)
        return out


def make_article(
    article_id: str,
    body: str,
    *,
    title: str = "A title",
    published: str | None = "2024-07-29",
    comments: Sequence[tuple[str, str]] = (),
) -> Article:
    """An Article built directly (comment offsets computed as ``comments_text`` lays them)."""
    built: list[Comment] = []
    offset = 0
    for author, text in comments:
        built.append(Comment(author, text, offset, offset + len(text)))
        offset += len(text) + 2
    return Article(
        id=article_id,
        title=title,
        published=published,
        date_source="dateline" if published else "unknown",
        source=None,
        body=body,
        comments=tuple(built),
        content_hash=hashlib.sha256(body.encode()).hexdigest()[:16],
        path=f"{article_id}.txt",
    )


class FakeLLM:
    """A scripted generator: answers with ``replies`` in turn (the last one repeats).

    Records every prompt and token budget it got (``prompts``, ``max_tokens``), so a test can
    assert on what the model was shown. ``stream`` yields the reply a few characters at a time.
    """

    model_id = "fake-llm"

    def __init__(self, *replies: str, piece: int = 5) -> None:
        self.replies = list(replies) or [""]
        self.piece = piece
        self.prompts: list[str] = []
        self.max_tokens: list[int] = []

    def _reply(self, prompt: str, max_tokens: int) -> str:
        self.prompts.append(prompt)
        self.max_tokens.append(max_tokens)
        index = min(len(self.prompts) - 1, len(self.replies) - 1)
        return self.replies[index]

    def complete(self, prompt: str, max_tokens: int) -> str:
        return self._reply(prompt, max_tokens)

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]:
        reply = self._reply(prompt, max_tokens)
        for i in range(0, len(reply), self.piece):
            yield reply[i : i + self.piece]
