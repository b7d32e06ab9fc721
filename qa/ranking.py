"""The second evidence stage: the trained ranker rescores the first stage's best sentences,
the combiner turns every signal into P(the sentence holds the answer), and the answer model
gives the calibrated probability that answering is right (see :mod:`qa.combine`).

The default pipeline uses the ranker too, without the combiner's decision: :func:`reorder`
lets it choose which of the sentences the first stage deems quotable leads.

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
from qa.types import Hit

_WORD = re.compile(r"\w+")

__all__ = [
    "Decision",
    "decide",
    "question_context",
    "reorder",
    "rescore",
    "sentence_features",
    "support_score",
    "type_check",
]


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


def reorder(
    question: str, evidence: Sequence[Evidence], reranker: Reranker, floor: float, k: int
) -> list[Evidence]:
    """The first stage's best ``k`` sentences that reach ``floor`` (the answer threshold),
    in the trained ranker's order (``ce`` = its logit); they keep the first stage's scores in
    their new order, so the best score, which sentences may be quoted and the decision to
    answer stay what the first stage made them: the ranker picks which of them leads. Fewer
    than two such sentences: unchanged.
    """
    n = 0  # evidence is best first: the quotable ones are a prefix
    while n < min(k, len(evidence)) and evidence[n].score >= floor:
        n += 1
    top = list(evidence[:n])
    if len(top) < 2:
        return list(evidence)
    logits = reranker.score(question, [e.sentence.text for e in top])
    order = sorted(range(len(top)), key=lambda i: -logits[i])
    scores = sorted((e.score for e in top), reverse=True)
    moved = [
        replace(top[j], score=s, ce=float(logits[j])) for j, s in zip(order, scores, strict=True)
    ]
    return moved + list(evidence[len(top) :])


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


def support_score(
    question: str,
    sentences: Sequence[tuple[str, str, float]],
    entities: Sequence[Sequence[Entity]],
    types: Mapping[str, float],
) -> float:
    """The best short-answer candidate's score among the top sentences (0 when none):
    how strongly the evidence agrees on one entity of the asked-for type.

    ``sentences``: (article id, text, probability) of the top sentences, best first;
    ``entities``: the entities of each.
    """
    from qa.short import candidates, pick_short

    cands = candidates(question, [(i + 1, 0, t, e) for i, ((_, t, _), e) in
                                  enumerate(zip(sentences, entities, strict=True))])  # fmt: skip
    support = [(aid, fold(t), p) for aid, t, p in sentences]
    best = pick_short(cands, types, support, min_score=0.0)
    return best.score if best is not None else 0.0


def question_context(hits: Sequence[Hit], absent: Sequence[str]) -> dict[str, float]:
    """:data:`qa.combine.CONTEXT_FEATURES` of one search."""
    return {
        "hit_dense": max((h.dense for h in hits[:5]), default=0.0),
        "absent": float(len(absent)),
    }


def decide(
    evidence: Sequence[Evidence],
    entities: Sequence[Sequence[Entity]],
    question: str,
    types: Mapping[str, float],
    combiner: Combiner,
    context: Mapping[str, float] | None = None,
    threshold: float | None = None,
) -> Decision:
    """Answer or abstain, from the rescored evidence, the lead sentence's entities and the
    question-level ``context`` (:data:`qa.combine.CONTEXT_FEATURES`): answer when the
    calibrated probability reaches ``threshold`` (None = the combiner's, chosen on train)."""
    probs = [e.score for e in evidence[:3]]
    ce = [e.ce for e in evidence[:3]]
    lead = {"lexical": evidence[0].lexical, "dense": evidence[0].dense} if evidence else {}
    top = [(e.sentence.article_id, e.sentence.text, e.score) for e in evidence[: len(entities)]]
    support = support_score(question, top, entities, types)
    feats = answer_features(
        probs,
        ce,
        type_check(question, entities[0] if entities else (), types),
        types.get("OTHER", 0.0),
        lead,
        {**(context or {}), "support": support},
    )
    p = combiner.answer.prob(feats)
    cut = combiner.threshold if threshold is None else threshold
    return Decision(p, p >= cut, feats)
