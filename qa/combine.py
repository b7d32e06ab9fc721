"""Learned combination of the evidence signals, and the calibrated decision to answer.

Two logistic regressions, fit on the realtimeqa ``train`` split by ``qa train``
(``eval/train_combiner.py``) and stored as plain numbers in ``qa/models/combiner/``:

* **sentence**: P(this sentence holds the answer) from the trained ranker's logit, the
  first stage's signals (bi-encoder cosine, IDF-weighted overlap, answer cue, retrieval
  rank, time fit, question entities missing from the article) and its first-stage rank;
* **answer**: P(the answer the composer would give is right), from the best sentences'
  probabilities and ranker logits, the margin to the runner-up, and the answer-type check
  (how likely the best typed entity of the lead sentence is the asked-for type). The answer
  is given when it reaches ``threshold``, chosen on train for rejection >= 0.9 of the
  unanswerable questions at the fewest refusals of answerable ones.

    >>> m = Logistic(("a", "b"), np.array([2.0, -1.0]), 0.5, np.zeros(2), np.ones(2))
    >>> round(m.prob({"a": 1.0, "b": 0.0}), 4)
    0.9241
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import ModelMissing

__all__ = [
    "ANSWER_FEATURES",
    "CONTEXT_FEATURES",
    "DEFAULT_COMBINER",
    "SENTENCE_FEATURES",
    "Combiner",
    "Logistic",
    "load_combiner",
]

DEFAULT_COMBINER = Path(__file__).parent / "models" / "combiner"
SENTENCE_FEATURES = (
    "ce", "dense", "lexical", "cue", "context", "period", "missing", "prior", "first_rank",
)  # fmt: skip
ANSWER_FEATURES = (
    "p1", "logit_p1", "ce1", "gap", "p_sum3", "type_ok", "type_other", "lexical1", "dense1",
    "hit_dense", "absent", "support",
)  # fmt: skip
CONTEXT_FEATURES = ("hit_dense", "absent", "support")
"""Question-level inputs besides the sentences: the best chunk's cosine among the first
hits, how many entities the question names that no article mentions, and the support of the
best short-answer candidate (:func:`qa.ranking.support_score`)."""


@dataclass(frozen=True)
class Logistic:
    """``sigmoid(w . standardise(x) + b)`` over named features."""

    names: tuple[str, ...]
    coef: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.mean) / self.scale) @ self.coef + self.bias

    def probs(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(rows)))

    def prob(self, features: Mapping[str, float]) -> float:
        row = np.array([[features[n] for n in self.names]], dtype=np.float64)
        return float(self.probs(row)[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "coef": [float(x) for x in self.coef],
            "bias": float(self.bias),
            "mean": [float(x) for x in self.mean],
            "scale": [float(x) for x in self.scale],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Logistic:
        return cls(
            tuple(data["names"]),
            np.asarray(data["coef"], dtype=np.float64),
            float(data["bias"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
        )


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Combiner:
    sentence: Logistic
    answer: Logistic
    threshold: float
    candidates: int  # sentences the ranker rescores (the first stage's best)
    meta: Mapping[str, Any]
    floor: float = 0.25  # a sentence below this probability is not quoted beside the lead
    short_min: float = 0.15  # a short answer's support (type probability x evidence) floor

    def sentence_probs(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = np.array([[r[n] for n in self.sentence.names] for r in rows], dtype=np.float64)
        return self.sentence.probs(x)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        data = {
            "sentence": self.sentence.to_dict(),
            "answer": self.answer.to_dict(),
            "threshold": self.threshold,
            "candidates": self.candidates,
            "floor": self.floor,
            "short_min": self.short_min,
        }
        (folder / "combiner.json").write_text(json.dumps(data, indent=2) + "\n", "utf-8")
        (folder / "meta.json").write_text(json.dumps(dict(self.meta), indent=2) + "\n", "utf-8")


def answer_features(
    probs: Sequence[float],
    ce: Sequence[float],
    type_ok: float,
    type_other: float,
    lead: Mapping[str, float] | None = None,
    context: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """The answer model's inputs from the sentences' probabilities (best first) and logits,
    the lead sentence's first-stage signals (``lexical``, ``dense``) and the question-level
    ``context`` (:data:`CONTEXT_FEATURES`).

    >>> answer_features([0.8, 0.3], [2.0, 0.1], 0.9, 0.05)["gap"]
    0.5
    """
    lead = lead or {}
    context = context or {}
    p1 = probs[0] if probs else 0.0
    p2 = probs[1] if len(probs) > 1 else 0.0
    return {
        "p1": p1,
        "logit_p1": logit(p1),
        "ce1": ce[0] if ce else 0.0,
        "gap": p1 - p2,
        "p_sum3": float(sum(probs[:3])),
        "type_ok": type_ok,
        "type_other": type_other,
        "lexical1": float(lead.get("lexical", 0.0)),
        "dense1": float(lead.get("dense", 0.0)),
        **{k: float(context.get(k, 0.0)) for k in CONTEXT_FEATURES},
    }


def load_combiner(folder: Path = DEFAULT_COMBINER) -> Combiner:
    """The fitted combiner from its folder; a missing file names the command that makes it."""
    path = Path(folder) / "combiner.json"
    if not path.is_file():
        raise ModelMissing(f"No evidence combiner at {folder}. Train it with: qa train")
    data = json.loads(path.read_text(encoding="utf-8"))
    meta_path = Path(folder) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    return Combiner(
        sentence=Logistic.from_dict(data["sentence"]),
        answer=Logistic.from_dict(data["answer"]),
        threshold=float(data["threshold"]),
        candidates=int(data.get("candidates", 24)),
        meta=meta,
        floor=float(data.get("floor", 0.25)),
        short_min=float(data.get("short_min", 0.15)),
    )
