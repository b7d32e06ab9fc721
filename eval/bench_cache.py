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

from index.embed import Embedder


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
