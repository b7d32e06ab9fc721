"""The second evidence stage: the trained ranker rescores the first stage's best sentences,
the combiner turns every signal into P(the sentence holds the answer), and the answer model
gives the calibrated probability that answering is right (see :mod:`qa.combine`).

    first stage (qa/evidence.py: hand-set weights over cosine, overlap, cues, rank, time)
      -> best ``combiner.candidates`` sentences -> ranker logits (qa/rerank.py)
      -> sentence probabilities (combiner.sentence), best first
      -> answer probability (combiner.answer, with the answer-type check of qa/answertype.py)

Sentences beyond the candidates keep probability 0 and are never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from qa.combine import Combiner, answer_features
from qa.entities import Entity
from qa.evidence import Evidence
from qa.question import STOPWORDS, fold
from qa.rerank import Reranker

_WORD = re.compile(r"\w+")

__all__ = ["Decision", "decide", "rescore", "sentence_features", "type_check"]


def sentence_features(e: Evidence, ce: float, rank: int) -> dict[str, float]:
    """The combiner's inputs for one first-stage sentence (``rank`` 0 = its best)."""
    return {
        "ce": ce,
        "dense": e.dense,
        "lexical": e.lexical,
        "cue": e.cue,
        "context": e.context,
        "period": e.period,
        "missing": float(len(e.missing_entities)),
        "prior": e.score,
        "first_rank": 1.0 / (1.0 + rank),
    }


def rescore(
    question: str, evidence: Sequence[Evidence], reranker: Reranker, combiner: Combiner
) -> list[Evidence]:
    """The first stage's best sentences rescored, best first (``score`` = probability,
    ``prior`` = the first-stage score, ``ce`` = the ranker's logit); the rest follow at 0."""
    top = list(evidence[: combiner.candidates])
    if not top:
        return []
    logits = reranker.score(question, [e.sentence.text for e in top])
    rows = [sentence_features(e, ce, i) for i, (e, ce) in enumerate(zip(top, logits, strict=True))]
    probs = combiner.sentence_probs(rows)
    rescored = [
        replace(e, score=float(p), prior=e.score, ce=float(ce))
        for e, p, ce in zip(top, probs, logits, strict=True)
    ]
    rescored.sort(key=lambda e: -e.score)
    rest = [replace(e, score=0.0, prior=e.score) for e in evidence[combiner.candidates :]]
    return rescored + rest


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if w not in STOPWORDS}


def type_check(question: str, entities: Sequence[Entity], types: Mapping[str, float]) -> float:
    """How likely the best entity of a sentence (one the question does not name) is of
    the asked-for type: max P(label) over its new entities (0 when it has none).

    >>> type_check("Who won?", [Entity("Ann Lee", "PERSON", 0, 7)], {"PERSON": 0.8})
    0.8
    """
    qwords = _words(question)
    best = 0.0
    for e in entities:
        words = _words(e.text)
        if words and not words <= qwords:
            best = max(best, types.get(e.label, 0.0))
    return best


@dataclass(frozen=True)
class Decision:
    confidence: float  # calibrated P(answering is right)
    answer: bool
    features: dict[str, float]


def decide(
    evidence: Sequence[Evidence],
    lead_entities: Sequence[Entity],
    question: str,
    types: Mapping[str, float],
    combiner: Combiner,
) -> Decision:
    """Answer or abstain, from the rescored evidence and the lead sentence's entities."""
    probs = [e.score for e in evidence[:3]]
    ce = [e.ce for e in evidence[:3]]
    feats = answer_features(
        probs, ce, type_check(question, lead_entities, types), types.get("OTHER", 0.0)
    )
    p = combiner.answer.prob(feats)
    return Decision(p, p >= combiner.threshold, feats)
