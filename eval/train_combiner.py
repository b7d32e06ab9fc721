"""Fit the evidence combiner and the calibrated answer decision (:mod:`qa.combine`) on train.

The product's own first stage runs on a pooled block of ``train`` weeks, indexed like the
benchmark does (its positives and negatives drawn the same way), so the features are the
ones the product sees at answer time:

1. for each question, the first stage's best ``candidates`` sentences get the trained
   ranker's logit; a sentence is labelled 1 when it holds the answer (folded, whole words);
2. the sentence model (logistic regression over :data:`qa.combine.SENTENCE_FEATURES`) is fit
   with its strength chosen by cross-validation over whole weeks, and the out-of-fold
   probabilities rank each question's sentences as the product would;
3. the answer model is fit on the answer features of each question's lead sentence
   (label: an answerable question whose lead sentence holds the answer), its out-of-fold
   probabilities choose the threshold: the lowest one that rejects at least ``rejection``
   of the unanswerable questions, which refuses the fewest answerable ones.

The ranker and the answer typer must not have seen these weeks (``qa train`` holds them out).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from eval.realtimeqa import data as d
from qa.answertype import AnswerTyper
from qa.assistant import DECIDE_SENTENCES
from qa.combine import (
    ANSWER_FEATURES,
    DEFAULT_COMBINER,
    SENTENCE_FEATURES,
    Combiner,
    Logistic,
    answer_features,
)
from qa.entities import EntityTagger
from qa.ranking import question_context, sentence_features, support_score, type_check
from qa.rerank import Reranker

__all__ = ["QuestionRows", "choose_threshold", "collect", "fit_combiner", "fit_logistic"]

log = logging.getLogger(__name__)


@dataclass
class QuestionRows:
    """One asked question's candidate sentences, in first-stage order."""

    id: str
    week: str
    question: str
    positive: bool
    qvec: np.ndarray
    texts: list[str]
    rows: list[dict[str, float]]
    labels: list[int]
    context: dict[str, float] = field(default_factory=dict)
    articles: list[str] = field(default_factory=list)
    oof: np.ndarray = field(default_factory=lambda: np.zeros(0))


def collect(
    bot: Any,
    asked: Sequence[tuple[d.RtQuestion, bool]],
    reranker: Reranker,
    candidates: int,
    progress: bool = True,
) -> list[QuestionRows]:
    """Run the first stage (``bot`` without a combiner) and the ranker on every question."""
    from qa.retrieve import Filters

    snap = bot.snapshot()
    out = []
    for q, positive in tqdm(asked, desc="features", disable=not progress, leave=False):
        found = bot._find(snap, q.question, Filters(), False, rescored=False)
        top = found.evidence[:candidates]
        texts = [e.sentence.text for e in top]
        logits = reranker.score(q.question, texts) if texts else []
        rows = [
            sentence_features(e, ce, i) for i, (e, ce) in enumerate(zip(top, logits, strict=True))
        ]
        labels = [int(positive and d.contains_answer(d.fold(t), q.answer)) for t in texts]
        qvec = bot._embed_query(q.question)
        context = question_context(found.hits, found.absent)
        out.append(
            QuestionRows(
                q.id,
                q.week,
                q.question,
                positive,
                qvec,
                texts,
                rows,
                labels,
                context,
                [e.sentence.article_id for e in top],
            )
        )
    return out


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_logistic(x: np.ndarray, y: np.ndarray, names: Sequence[str], c: float) -> Logistic:
    """A standardised logistic regression (scikit-learn), as plain numbers."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = _standardise(x)
    if len(set(y.tolist())) < 2:  # one class only: a constant model
        p = float(y.mean()) if len(y) else 0.5
        bias = float(np.log(max(p, 1e-3) / max(1 - p, 1e-3)))
        return Logistic(tuple(names), np.zeros(len(names)), bias, mean, scale)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit((x - mean) / scale, y)
    return Logistic(tuple(names), model.coef_[0].astype(np.float64),
                    float(model.intercept_[0]), mean, scale)  # fmt: skip


def _folds(weeks: Sequence[str], k: int) -> list[set[str]]:
    ordered = sorted(set(weeks))
    return [set(ordered[i::k]) for i in range(min(k, len(ordered)))]


def _log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()) if len(y) else 0.0


def _matrix(qs: Sequence[QuestionRows], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    rows = [[r[n] for n in names] for q in qs for r in q.rows]
    labels = [y for q in qs for y in q.labels]
    return np.array(rows, dtype=np.float64).reshape(-1, len(names)), np.array(labels)


def _oof_sentences(qs: list[QuestionRows], c: float, k: int) -> float:
    """Out-of-fold sentence probabilities into each ``q.oof``; returns the log loss."""
    losses = []
    for held in _folds([q.week for q in qs], k):
        fit = [q for q in qs if q.week not in held]
        test = [q for q in qs if q.week in held]
        model = fit_logistic(*_matrix(fit, SENTENCE_FEATURES), SENTENCE_FEATURES, c)
        for q in test:
            x = np.array([[r[n] for n in SENTENCE_FEATURES] for r in q.rows], dtype=np.float64)
            q.oof = model.probs(x.reshape(-1, len(SENTENCE_FEATURES))) if q.rows else np.zeros(0)
            losses.append(_log_loss(q.oof, np.array(q.labels)))
    return float(np.mean(losses)) if losses else 0.0


def choose_threshold(
    probs: np.ndarray, positive: np.ndarray, rejection: float = 0.9
) -> tuple[float, float, float]:
    """The lowest threshold whose refusals (p < t) reach ``rejection`` of the negatives:
    (threshold, rejection, false refusals) on the given probabilities.

    >>> choose_threshold(np.array([0.9, 0.8, 0.2, 0.1]), np.array([1, 1, 0, 0]), 1.0)
    (0.2000001, 1.0, 0.0)
    """
    neg = np.sort(probs[positive == 0])
    if not len(neg):
        return 0.5, 1.0, 0.0
    k = int(np.ceil(rejection * len(neg))) - 1
    t = float(neg[max(k, 0)]) + 1e-7
    rej = float((probs[positive == 0] < t).mean())
    fr = float((probs[positive == 1] < t).mean()) if (positive == 1).any() else 0.0
    return t, rej, fr


def _answer_rows(
    qs: Sequence[QuestionRows], typer: AnswerTyper, tagger: EntityTagger, target: str = "right"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    feats, labels, positive = [], [], []
    for q in qs:
        order = np.argsort(-q.oof) if len(q.oof) else np.zeros(0, dtype=int)
        probs = [float(q.oof[i]) for i in order]
        ce = [q.rows[i]["ce"] for i in order]
        types = typer.predict(q.qvec, q.question)
        top = [int(i) for i in order[:DECIDE_SENTENCES]]
        ents = tagger.tag([q.texts[i] for i in top])
        lead_row = q.rows[top[0]] if top else {}
        sentences = [(q.articles[i], q.texts[i], float(q.oof[i])) for i in top]
        support = support_score(q.question, sentences, ents, types)
        lead_ents = ents[0] if ents else ()
        f = answer_features(probs, ce, type_check(q.question, lead_ents, types), types["OTHER"],
                            lead_row, {**q.context, "support": support})  # fmt: skip
        feats.append([f[n] for n in ANSWER_FEATURES])
        right = bool(len(order)) and q.labels[int(order[0])] == 1
        labels.append(int(q.positive) if target == "answerable" else int(right))
        positive.append(int(q.positive))
    return np.array(feats, dtype=np.float64), np.array(labels), np.array(positive)


def fit_combiner(
    qs: list[QuestionRows],
    typer: AnswerTyper,
    tagger: EntityTagger,
    candidates: int,
    out: Path = DEFAULT_COMBINER,
    rejection: float = 0.9,
    k: int = 5,
    grid: Sequence[float] = (0.01, 0.1, 1.0, 10.0),
    meta: dict[str, Any] | None = None,
    target: str = "right",
) -> Combiner:
    """Fit both models on ``qs`` (see the module doc), write them to ``out``."""
    t0 = time.perf_counter()
    losses = {c: _oof_sentences(qs, c, k) for c in grid}
    best_c = min(grid, key=lambda c: (losses[c], -c))
    _oof_sentences(qs, best_c, k)  # the out-of-fold probabilities of the chosen strength
    sentence = fit_logistic(*_matrix(qs, SENTENCE_FEATURES), SENTENCE_FEATURES, best_c)
    x, y, positive = _answer_rows(qs, typer, tagger, target)
    weeks = np.array([q.week for q in qs])
    oof = np.zeros(len(qs))
    for held in _folds(weeks.tolist(), k):
        mask = np.isin(weeks, list(held))
        model = fit_logistic(x[~mask], y[~mask], ANSWER_FEATURES, 1.0)
        oof[mask] = model.probs(x[mask])
    answer = fit_logistic(x, y, ANSWER_FEATURES, 1.0)
    threshold, rej, fr = choose_threshold(oof, positive, rejection)
    top1 = [bool(len(q.oof)) and q.labels[int(np.argmax(q.oof))] == 1 for q in qs if q.positive]
    first = [bool(q.labels) and q.labels[0] == 1 for q in qs if q.positive]
    info = dict(meta or {})
    info.update(
        {
            "questions": len(qs),
            "positives": int(positive.sum()),
            "sentence_rows": int(sum(len(q.rows) for q in qs)),
            "sentence_C": best_c,
            "sentence_logloss_by_C": {str(c): round(v, 4) for c, v in losses.items()},
            "train_oof_top1_positives": round(float(np.mean(top1)), 4) if top1 else None,
            "train_first_stage_top1_positives": round(float(np.mean(first)), 4) if first else None,
            "threshold": round(threshold, 6),
            "train_oof_rejection": round(rej, 4),
            "train_oof_false_refusal": round(fr, 4),
            "seconds": round(time.perf_counter() - t0, 1),
        }
    )
    combiner = Combiner(sentence, answer, threshold, candidates, info)
    combiner.save(out)
    (out / "README.md").write_text(_card(combiner), encoding="utf-8")
    log.info("combiner: %s", info)
    return combiner


def train_combiner_on_block(
    data: Path,
    weeks: Sequence[str],
    reranker: Reranker,
    typer: AnswerTyper,
    out: Path = DEFAULT_COMBINER,
    candidates: int = 24,
    settings: Any = None,
    embedder: Any = None,
    progress: bool = True,
) -> Combiner:
    """Index the ``train`` block of ``weeks`` (reused when a benchmark run built it), ask
    the product's first stage its questions, fit the combiner (:func:`fit_combiner`)."""
    from eval.realtimeqa.run import RtqaConfig, index_block
    from index.embed import get_embedder
    from qa.settings import Settings

    settings = settings or Settings()
    embedder = embedder or get_embedder(settings)
    ds = d.load_dataset(data)
    config = RtqaConfig(data=data, split="train", weeks=len(weeks), progress=progress)
    first_stage = settings.model_copy(update={"evidence_model": "weights"})
    bot, positives, negatives = index_block(
        weeks, ds, config, first_stage, embedder, settings.data_dir / "realtimeqa"
    )
    asked = [(q, True) for q in positives] + [(q, False) for q in negatives]
    rows = collect(bot, asked, reranker, candidates, progress)
    meta = {"data": f"realtimeqa train weeks {weeks[0]}-{weeks[-1]}", "candidates": candidates}
    return fit_combiner(rows, typer, EntityTagger(), candidates, out, meta=meta)


def _card(c: Combiner) -> str:
    m = c.meta
    sent = ", ".join(
        f"{n} {w:+.2f}" for n, w in zip(c.sentence.names, c.sentence.coef, strict=True)
    )
    ans = ", ".join(f"{n} {w:+.2f}" for n, w in zip(c.answer.names, c.answer.coef, strict=True))
    return f"""# combiner: evidence probability and the calibrated decision to answer

- **What**: two logistic regressions over standardised features (qa/combine.py); plain
  numbers in combiner.json, no pickle.
- **Data**: {m.get("data")}, {m.get("questions")} questions ({m.get("positives")} answerable,
  the rest unanswerable: questions of other weeks whose answer is nowhere in the block),
  {m.get("sentence_rows")} candidate sentences (the first stage's best {c.candidates} each).
  The ranker and the answer typer were trained without these weeks.
- **Sentence model** (C={m.get("sentence_C")}, chosen by 5-fold cross-validation over weeks,
  log loss {m.get("sentence_logloss_by_C")}): {sent}.
  Top-1 holds the answer (answerable, out of fold): {m.get("train_oof_top1_positives")}
  (first stage alone: {m.get("train_first_stage_top1_positives")}).
- **Answer model**: {ans}. Threshold {m.get("threshold")}: the lowest whose out-of-fold
  refusals reach rejection 0.9 on train (got {m.get("train_oof_rejection")}, false refusals
  {m.get("train_oof_false_refusal")}).
- **Dev figures**: see the README's Evaluation section (qa eval --benchmark realtimeqa).
- **Size / speed**: {len(c.sentence.names) + len(c.answer.names) + 2} numbers; microseconds.
- **Reproduce**: `qa train` ({m.get("seconds")} s for this step on 2 cores, after the
  block is indexed).
"""
