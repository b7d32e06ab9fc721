"""An embedder that remembers vectors on disk, keyed by model and text hash.

The benchmark embeds tens of thousands of chunks; a re-run at the same size reuses them.
One ``.npz`` file per cache name (per corpus size) holds the text hashes and the vectors::

    >>> import tempfile, pathlib
    >>> class Ones:
    ...     model_id, dim = "ones", 2
    ...     def embed(self, texts): return np.ones((len(texts), 2), dtype=np.float32)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> cached = CachedEmbedder(Ones(), folder, "demo")
    >>> _ = cached.embed(["a", "b"]); cached.save(); (cached.hits, cached.misses)
    (0, 2)
    >>> again = CachedEmbedder(Ones(), folder, "demo")
    >>> _ = again.embed(["b", "a"]); (again.hits, again.misses)
    (2, 0)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embed import Embedder, Span, SpanEmbedder


def text_key(model_id: str, text: str) -> str:
    """Cache key of one text for one model."""
    blob = f"{model_id}\x00{text}".encode("utf-8", "surrogatepass")
    return hashlib.sha1(blob).hexdigest()


class CachedEmbedder:
    """Wraps an :class:`Embedder`; texts seen before (in memory or in the file) are not re-embedded.

    ``hits``/``misses`` count texts; ``meta`` is a free JSON dict saved beside the vectors
    (the benchmark keeps the figures of the last uncached run there).
    """

    def __init__(self, inner: Embedder, folder: Path, name: str) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{inner.model_id}-{name}")
        self.path = Path(folder) / f"{slug}.npz"
        self.meta_path = self.path.with_suffix(".json")
        self.hits = 0
        self.misses = 0
        self._rows: dict[str, np.ndarray] = {}
        self._dirty = False
        self.meta: dict[str, Any] = {}
        if self.path.is_file():
            with np.load(self.path) as data:
                for key, row in zip(data["keys"].tolist(), data["vectors"], strict=True):
                    self._rows[str(key)] = row
        if self.meta_path.is_file():
            self.meta = json.loads(self.meta_path.read_text(encoding="utf-8"))

    def covers(self, texts: Sequence[str]) -> bool:
        """True when every text already has a vector (an embed call would cost nothing)."""
        return all(text_key(self.model_id, t) in self._rows for t in texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(self.model_id, t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._rows))
        if todo:
            index = {k: i for i, k in enumerate(keys)}
            fresh = self.inner.embed([texts[index[k]] for k in todo])
            for k, row in zip(todo, fresh, strict=True):
                self._rows[k] = np.asarray(row, dtype=np.float32)
            self._dirty = True
        new = set(todo)
        missed = sum(1 for k in keys if k in new)
        self.misses += missed
        self.hits += len(keys) - missed
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._rows[k] for k in keys])

    def save(self) -> None:
        """Write the vectors (only when new ones were computed) and the meta dict."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self._dirty:
            keys = np.array(list(self._rows), dtype="U40")
            vectors = np.stack(list(self._rows.values())).astype(np.float32)
            tmp = self.path.with_name(self.path.stem + ".tmp.npz")
            np.savez(tmp, keys=keys, vectors=vectors)
            tmp.replace(self.path)
            self._dirty = False
        self.meta_path.write_text(json.dumps(self.meta, indent=2), encoding="utf-8")


class CachedSpanEmbedder(CachedEmbedder):
    """A :class:`CachedEmbedder` over a :class:`SpanEmbedder`: span vectors are cached too.

    Span vectors are kept per text (float16, like the index stores them) in a second file;
    a text whose spans changed in number is embedded again.
    """

    def __init__(self, inner: SpanEmbedder, folder: Path, name: str) -> None:
        super().__init__(inner, folder, name)  # type: ignore[arg-type]
        self.span_inner = inner
        self.span_path = self.path.with_name(self.path.stem + ".spans.npz")
        self._spans: dict[str, np.ndarray] = {}
        if self.span_path.is_file():
            with np.load(self.span_path) as data:
                bounds = data["offsets"].tolist()
                rows = data["rows"]
                for key, (lo, hi) in zip(data["keys"].tolist(), bounds, strict=True):
                    self._spans[str(key)] = rows[lo:hi]

    def covers(self, texts: Sequence[str]) -> bool:
        keys = [text_key(self.model_id, t) for t in texts]
        return all(k in self._rows and k in self._spans for k in keys)

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        keys = [text_key(self.model_id, t) for t in texts]
        todo = [
            i
            for i, k in enumerate(keys)
            if k not in self._rows or len(self._spans.get(k, ())) != len(spans[i])
        ]
        if todo:
            vecs, pooled = self.span_inner.embed_spans(
                [texts[i] for i in todo], [spans[i] for i in todo]
            )
            for i, row, rows in zip(todo, vecs, pooled, strict=True):
                self._rows[keys[i]] = np.asarray(row, dtype=np.float32)
                self._spans[keys[i]] = np.asarray(rows, dtype=np.float16)
            self._dirty = True
        self.misses += len(todo)
        self.hits += len(keys) - len(todo)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32), []
        vectors = np.stack([self._rows[k] for k in keys])
        return vectors, [self._spans[k].astype(np.float32) for k in keys]

    def save(self) -> None:
        if self._dirty and self._spans:
            self.span_path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(self._spans)
            sizes = [len(self._spans[k]) for k in keys]
            ends = np.cumsum(sizes)
            offsets = np.stack([ends - sizes, ends], axis=1)
            rows = np.concatenate([self._spans[k] for k in keys]).astype(np.float16)
            tmp = self.span_path.with_name(self.span_path.stem + ".tmp.npz")
            np.savez(tmp, keys=np.array(keys, dtype="U40"), offsets=offsets, rows=rows)
            tmp.replace(self.span_path)
        super().save()


def cached_embedder(inner: Embedder, folder: Path, name: str) -> CachedEmbedder:
    """The caching wrapper that keeps what ``inner`` can do (span pooling or not)."""
    if isinstance(inner, SpanEmbedder):
        return CachedSpanEmbedder(inner, folder, name)
    return CachedEmbedder(inner, folder, name)
