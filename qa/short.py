"""The short, direct answer: the typed entity best supported by the evidence, quoted verbatim.

Candidates are the named entities (spaCy) of the sentences the answer cites, except those
the question itself names. Each is scored by how likely its label is the asked-for type
(:mod:`qa.answertype`) times its support: the evidence probability of every top sentence
that mentions it, the best per article, summed over distinct articles (two articles saying
"Globex" beat one). The winner must clear ``min_score``; otherwise there is no short answer
and the quoted sentences stand alone.

    >>> from qa.entities import Entity
    >>> cands = candidates("Which company bought Acme?", [(1, 0, "Globex bought Acme.",
    ...     (Entity("Globex", "ORG", 0, 6), Entity("Acme", "ORG", 14, 18)))])
    >>> [(c.text, c.n, c.start) for c in cands]
    [('Globex', 1, 0)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qa.entities import Entity
from qa.question import STOPWORDS, fold
from qa.types import ShortAnswer

__all__ = ["Candidate", "candidates", "pick_short"]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    text: str
    label: str
    n: int  # citation number
    start: int  # offsets into the article's source text
    end: int


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if w not in STOPWORDS}


def candidates(
    question: str, cited: Sequence[tuple[int, int, str, Sequence[Entity]]]
) -> list[Candidate]:
    """Entities of the cited sentences that the question does not already name.

    ``cited``: (citation number, offset of the sentence in its source text, sentence text,
    its entities with offsets into the sentence).
    """
    qwords = _words(question)
    out = []
    for n, offset, _text, ents in cited:
        for e in ents:
            words = _words(e.text)
            if not words or words <= qwords:
                continue
            out.append(Candidate(e.text, e.label, n, offset + e.start, offset + e.end))
    return out


def _mentions(sentence_folded: str, candidate_folded: str) -> bool:
    return f" {candidate_folded} " in f" {sentence_folded} "


def pick_short(
    cands: Sequence[Candidate],
    types: Mapping[str, float],
    support: Sequence[tuple[str, str, float]],
    min_score: float = 0.15,
) -> ShortAnswer | None:
    """The best-supported candidate of a likely type, or None.

    ``support``: (article id, folded sentence, evidence probability) of the top sentences.
    """
    best: tuple[float, int, ShortAnswer] | None = None
    for rank, c in enumerate(cands):
        key = " ".join(_WORD.findall(fold(c.text)))
        per_article: dict[str, float] = {}
        for article_id, sentence, p in support:
            if _mentions(" ".join(_WORD.findall(sentence)), key):
                per_article[article_id] = max(per_article.get(article_id, 0.0), p)
        score = types.get(c.label, 0.0) * sum(per_article.values())
        if best is None or (score, -rank) > (best[0], -best[1]):
            best = (score, rank, ShortAnswer(c.text, c.n, c.start, c.end, c.label, score))
    if best is None or best[0] < min_score:
        return None
    return best[2]
