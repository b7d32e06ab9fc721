"""Train the answer typer (:mod:`qa.answertype`) on the realtimeqa ``train`` split.

Labels come from the data, not from a word list: for each answerable question, spaCy's NER
reads the sentences of its pages that hold the answer, and the label of the entity that
matches the answer is the question's answer type (``OTHER`` when none does). A softmax
regression (scikit-learn, multinomial) over the question's MiniLM embedding and its question
word learns P(label | question); its strength is chosen on whole weeks held out of train, the
final fit uses all of train, and dev is only reported.

    >>> matches("Joe Biden", "Biden"), matches("the Federal Reserve", "Federal Reserve Bank")
    (True, True)
    >>> matches("Biden", "Trump")
    False
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eval.metrics import normalize_answer
from eval.ranker_data import RankItem, split_holdout
from qa.answertype import CLASSES, DEFAULT_TYPER, AnswerTyper
from qa.entities import EntityTagger

__all__ = ["label_items", "matches", "train_typer"]

log = logging.getLogger(__name__)


def matches(entity: str, answer: str) -> bool:
    """The entity names the answer: the shorter one's words are in the longer one and make
    up at least half of it (folded)."""
    a, b = normalize_answer(entity).split(), normalize_answer(answer).split()
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    text = f" {' '.join(long_)} "
    return f" {' '.join(short)} " in text and len(short) / len(long_) >= 0.5


def label_items(items: Sequence[RankItem], tagger: EntityTagger, per_item: int = 3) -> list[str]:
    """The answer's entity label per item, read in up to ``per_item`` answering sentences."""
    labels = []
    for item in items:
        sentences = [item.sentences[i] for i in item.positives[:per_item]]
        found = "OTHER"
        for ents in tagger.tag(sentences):
            hit = next((e.label for e in ents if matches(e.text, item.answer)), None)
            if hit is not None:
                found = hit
                break
        labels.append(found)
    return labels


def _features(items: Sequence[RankItem], embedder: Any) -> np.ndarray:
    vecs = embedder.embed([i.question for i in items])
    return np.stack([AnswerTyper.features(v, i.question) for v, i in zip(vecs, items, strict=True)])


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(x, y)
    return model


def _accuracy(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    return float((model.predict(x) == y).mean()) if len(y) else 0.0


def train_typer(
    train: Sequence[RankItem],
    dev: Sequence[RankItem],
    embedder: Any,
    out: Path = DEFAULT_TYPER,
    tagger: EntityTagger | None = None,
    seed: int = 0,
    grid: Sequence[float] = (0.3, 1.0, 3.0, 10.0),
) -> dict[str, Any]:
    """Label, choose C on held-out train weeks, fit on all of train, write the model folder."""
    t0 = time.perf_counter()
    tagger = tagger or EntityTagger()
    fit_items, held = split_holdout(train, 0.2, seed)
    y_train = np.array(label_items(train, tagger))
    y_dev = np.array(label_items(dev, tagger))
    x_train, x_dev = _features(train, embedder), _features(dev, embedder)
    index = {it.id: k for k, it in enumerate(train)}
    fit_rows = [index[i.id] for i in fit_items]
    held_rows = [index[i.id] for i in held]
    scores = {}
    for c in grid:
        model = _fit(x_train[fit_rows], y_train[fit_rows], c)
        scores[c] = _accuracy(model, x_train[held_rows], y_train[held_rows])
    best_c = max(grid, key=lambda c: (scores[c], -c))
    model = _fit(x_train, y_train, best_c)
    coef = np.zeros((x_train.shape[1], len(CLASSES)), dtype=np.float32)
    bias = np.full(len(CLASSES), -30.0, dtype=np.float32)  # a class never seen stays unlikely
    if len(model.classes_) == 2:  # binary: scikit-learn keeps one row, for the second class
        first, second = (CLASSES.index(str(c)) for c in model.classes_)
        coef[:, first], coef[:, second] = -model.coef_[0] / 2, model.coef_[0] / 2
        bias[first], bias[second] = -model.intercept_[0] / 2, model.intercept_[0] / 2
    else:
        for k, label in enumerate(model.classes_):
            coef[:, CLASSES.index(str(label))] = model.coef_[k]
            bias[CLASSES.index(str(label))] = model.intercept_[k]
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "weights.npz", coef=coef, bias=bias, classes=np.array(CLASSES))
    AnswerTyper(out)  # loads back
    dev_acc = _accuracy(model, x_dev, y_dev) if len(dev) else None
    meta = {
        "model": "softmax regression over MiniLM question embedding + question word",
        "data": "realtimeqa train.jsonl (answerable questions), labels by spaCy NER",
        "n_train": len(train),
        "n_dev": len(dev),
        "C": best_c,
        "heldout_accuracy_by_C": {str(c): round(v, 4) for c, v in scores.items()},
        "dev_accuracy": None if dev_acc is None else round(dev_acc, 4),
        "train_labels": dict(Counter(y_train.tolist()).most_common()),
        "dev_labels": dict(Counter(y_dev.tolist()).most_common()),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_card(meta), encoding="utf-8")
    log.info("answer typer: dev accuracy %s (C=%s)", meta["dev_accuracy"], best_c)
    return meta


def _card(meta: dict[str, Any]) -> str:
    labels = ", ".join(f"{k} {v}" for k, v in meta["train_labels"].items())
    return f"""# answer-type: P(entity label of the answer | question)

- **What**: {meta["model"]}; classes = spaCy's 18 OntoNotes labels + OTHER (no entity).
- **Data**: {meta["data"]}; {meta["n_train"]} train questions (labels: {labels}).
- **Split**: C chosen on 20% of the train weeks held out (accuracy by C:
  {meta["heldout_accuracy_by_C"]}), then fit on all of train; dev only reported.
- **Dev**: top-1 label accuracy {meta["dev_accuracy"]} on {meta["n_dev"]} dev questions.
- **Size / speed**: {len(CLASSES)} x 394 floats (~30 KB); one 394 x 19 product per question.
- **Reproduce**: `qa train` (eval/train_typer.py), {meta["seconds"]} s on 2 cores.
"""
