"""The expected answer type of a question, learned: P(spaCy entity label of the answer | question).

A softmax regression over the question's embedding (the packaged MiniLM vector the retriever
computes anyway, so typing costs one small matrix product) and its question word, fit on the
realtimeqa ``train`` questions, whose answers were labelled by spaCy's NER in the sentence
that holds them (``OTHER`` when the answer is no entity: "Through open adoption"). No word
list maps "which country" to GPE: the data does ("which country's ships" -> GPE, "which
company" -> ORG, "how much" -> MONEY).

    >>> wh_features("How many people died?").tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]

The weights live in ``qa/models/answer-type/`` (``weights.npz`` + ``meta.json`` + a card),
written by ``qa train`` (``eval/train_typer.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from qa.entities import LABELS, ModelMissing

__all__ = ["CLASSES", "DEFAULT_TYPER", "WH", "AnswerTyper", "wh_features"]

CLASSES = (*LABELS, "OTHER")
WH = ("who", "what", "which", "where", "when", "how many", "how much", "why", "how", "none")
DEFAULT_TYPER = Path(__file__).parent / "models" / "answer-type"
_TOKEN_RE = re.compile(r"[a-z]+")
_WH_OF = {"who": "who", "whom": "who", "whose": "who", "what": "what", "which": "which"}
_WH_OF |= {"where": "where", "when": "when", "why": "why"}


def wh_word(question: str) -> str:
    """The first question word ("how many" / "how much" as one), else "none".

    >>> wh_word("In which year?"), wh_word("How much did it cost?"), wh_word("Name it.")
    ('which', 'how much', 'none')
    """
    tokens = _TOKEN_RE.findall(question.lower())
    for i, tok in enumerate(tokens):
        if tok in _WH_OF:
            return _WH_OF[tok]
        if tok == "how":
            nxt = tokens[i + 1 : i + 2]
            return "how many" if nxt == ["many"] else "how much" if nxt == ["much"] else "how"
    return "none"


def wh_features(question: str) -> np.ndarray:
    """One-hot of :func:`wh_word` over :data:`WH`."""
    out = np.zeros(len(WH), dtype=np.float32)
    out[WH.index(wh_word(question))] = 1.0
    return out


class AnswerTyper:
    """Loads the fitted weights by path; :meth:`predict` gives a probability per class."""

    def __init__(self, path: Path = DEFAULT_TYPER) -> None:
        file = Path(path) / "weights.npz"
        if not file.is_file():
            raise ModelMissing(
                f"No answer-type model at {path}. Train it with: qa train (see the README)"
            )
        with np.load(file) as data:
            self.coef = data["coef"].astype(np.float32)  # (features, classes)
            self.bias = data["bias"].astype(np.float32)
            classes = tuple(str(c) for c in data["classes"].tolist())
        if classes != CLASSES:
            raise ModelMissing(f"The answer-type model at {path} is for other labels; retrain it.")
        meta = Path(path) / "meta.json"
        self.meta = json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}

    @staticmethod
    def features(qvec: np.ndarray, question: str) -> np.ndarray:
        return np.concatenate([np.asarray(qvec, dtype=np.float32), wh_features(question)])

    def fits(self, qvec: np.ndarray) -> bool:
        """Whether ``qvec`` comes from the embedder the typer was fit on (same dimension)."""
        return int(np.asarray(qvec).shape[-1]) + len(WH) == self.coef.shape[0]

    def predict(self, qvec: np.ndarray, question: str) -> dict[str, float]:
        """``{label: probability}`` over :data:`CLASSES` (sums to 1)."""
        z = self.features(qvec, question) @ self.coef + self.bias
        z = np.exp(z - z.max())
        p = z / z.sum()
        return {c: float(v) for c, v in zip(CLASSES, p, strict=True)}
