"""The short, direct answer: the typed entity best supported by the evidence, quoted verbatim.

Candidates are the named entities (spaCy) of the sentences the answer cites, and, when the
answer may be no named entity (the answer typer gives ``OTHER`` at least :data:`CHUNK_MIN`),
their noun chunks ("chimpanzees", "bird flu"), except those the question itself names.
Each is scored by how likely its label is the asked-for type (:mod:`qa.answertype`) times
its support: the evidence probability of every top sentence
that mentions it, the best per article, summed over distinct articles (two articles saying
"Globex" beat one). The winner must clear ``min_score``; otherwise there is no short answer
and the quoted sentences stand alone.

Which candidate wins is chosen by the short-answer model when one is given
(:class:`ShortModel`, ``qa/models/short-answer/``): a cross-encoder reads each candidate in
its sentence ("Nikki Glaser | ... comedian Nikki Glaser, the host of this Sunday's Golden
Globes ...") and a conditional logit weighs its logit with :data:`FEATURES` (type
probability, support, how many articles and sentences name it, whether it stands in the
lead quote); both are fit on realtimeqa
train by ``qa train --parts short`` (``eval/train_short.py``). ``min_score`` still decides
whether there is a short answer at all.

    >>> from qa.entities import LABELS, Entity
    >>> cands = candidates("Which company bought Acme?", [(1, 0, "Globex bought Acme.",
    ...     (Entity("Globex", "ORG", 0, 6), Entity("Acme", "ORG", 14, 18)))])
    >>> [(c.text, c.n, c.start) for c in cands]
    [('Globex', 1, 0)]
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import ModelMissing
from qa.entities import LABELS, Entity
from qa.evidence import is_kin
from qa.question import STOPWORDS, fold, stem
from qa.roles import PLACE_LABELS
from qa.types import ShortAnswer

__all__ = [
    "CE_CANDIDATES",
    "CHUNK_MIN",
    "DEFAULT_SHORT_MODEL",
    "FEATURES",
    "NAMES",
    "Candidate",
    "ShortModel",
    "candidate_features",
    "candidates",
    "fuller",
    "named_by_question",
    "offered",
    "pair_text",
    "pick_short",
    "wants_chunks",
    "with_chunks",
]

DEFAULT_SHORT_MODEL = Path(__file__).parent / "models" / "short-answer"

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    text: str
    label: str
    n: int  # citation number
    start: int  # offsets into the article's source text
    end: int
    sentence: str = ""  # the cited sentence it stands in


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if w not in STOPWORDS}


_POSSESSIVE = re.compile(r"['’]s$")

CHUNK_MIN = 0.35
"""Noun chunks become candidates from this answer-type probability of ``OTHER`` (no named
entity) on. Measured on the held-out train weeks (exact matches of 224): 0.15 gives 54,
0.35 gives 53, no chunks 48; at 0.15 a seed question ("What council does Doug Burgum
head?", ``OTHER`` 0.32) gets the noun "oil" instead of the council, so 0.35."""


CE_CANDIDATES = 4
"""How many candidates the short-answer model's cross-encoder reads: those its other features
rank first. Measured on the held-out train weeks (exact matches of 224, cross-encoder pairs;
the model with its last 2 layers trained): all 55 / 1,974, 4 56 / 718, 6 55 / 1,006, 8 55 /
1,243 (dev: 85, 83, 84, 84 of 364). The shipped 3-layer model: 57 at every size from 4 to
all on train, so the cheapest stays (dev: 87 at 4, 90 at 6 and above). Fewer lose (EM;
int8 on a CPU without bf16): 3 gives train 0.237 and dev 0.243, 2 gives 0.214 and 0.249,
against 0.241 and 0.264 at 4, to save 5 or 11 of the cross-encoder's 45 ms."""


def wants_chunks(types: Mapping[str, float]) -> bool:
    """Whether the answer may be a plain noun phrase (see :data:`CHUNK_MIN`).

    >>> wants_chunks({"OTHER": 0.4, "GPE": 0.5}), wants_chunks({"PERSON": 0.9})
    (True, False)
    """
    return types.get("OTHER", 0.0) >= CHUNK_MIN


def with_chunks(ents: Sequence[Entity], chunks: Sequence[Entity]) -> tuple[Entity, ...]:
    """The entities and the noun chunks that overlap none of them (a sentence's candidates
    when the answer may be no named entity).

    >>> ents = (Entity("Nevada", "GPE", 30, 36),)
    >>> chunks = (Entity("Bird flu", "OTHER", 0, 8), Entity("Northern Nevada", "OTHER", 21, 36))
    >>> [e.text for e in with_chunks(ents, chunks)]
    ['Nevada', 'Bird flu']
    """
    free = [c for c in chunks if all(c.end <= e.start or c.start >= e.end for e in ents)]
    return (*ents, *free)


def offered(
    quotes: Sequence[str], types: Mapping[str, float], tagger: Any, chunker: Any = None
) -> list[tuple[Entity, ...]]:
    """What each quote offers as candidates: its entities (``tagger``, an
    :class:`qa.entities.EntityTagger`), with its noun chunks (``chunker``, a
    :class:`qa.entities.NounChunker`) where :func:`wants_chunks`. The answerer and the
    short-answer model's training both call it, so training sees what answering offers."""
    ents: list[tuple[Entity, ...]] = list(tagger.tag(quotes))
    if chunker is not None and wants_chunks(types):  # the answer may be a noun: "bird flu"
        ents = [with_chunks(e, c) for e, c in zip(ents, chunker.tag(quotes), strict=True)]
    return ents


_LETTERS = re.compile(r"[^A-Za-z]")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of\s+|and\s+|the\s+)*[A-Z][a-z]+)+")
_SMALL = frozenset({"of", "and", "the"})


def named_by_question(name: str, question: str, label: str = "") -> bool:
    """Whether a candidate is something the question names itself, in another form: its
    words are the question's by their stems ("voted" for "vote", "foods" for "food"), or
    it is a place (``label`` one of spaCy's place labels) whose adjective the question uses
    ("Syria" for "Syrian"; "SpaceX" is no place of "spacewalk"); or it abbreviates the
    question's words ("U.S." for "US", "IOC" for "International Olympic Committee", "Fed"
    for "Federal Reserve").

    >>> named_by_question("arrest", "A judge was arrested for doing what?")
    True
    >>> named_by_question("Syria", "Strikes in support of which Syrian group?", "GPE")
    True
    >>> named_by_question("SpaceX", "Which company tried the first commercial spacewalk?", "ORG")
    False
    >>> [named_by_question(n, "Who leads the International Olympic Committee in the US?")
    ...  for n in ("IOC", "U.S.", "Kirsty Coventry")]
    [True, True, False]
    >>> named_by_question("Fed", "Did the Federal Reserve cut rates?")
    True
    """
    asked = {stem(w) for w in _words(question)}
    own = {stem(w) for w in _words(name)}
    place = label in PLACE_LABELS
    if own and all(w in asked or (place and any(is_kin(q, w) for q in asked)) for w in own):
        return True
    letters = _LETTERS.sub("", name)
    if len(letters) < 2:
        return False
    words = re.findall(r"[A-Za-z]+", question)
    if letters.isupper():
        runs = ("".join(w[0] for w in r.split() if w not in _SMALL)
                for r in _CAPITALISED_RUN.findall(question))  # fmt: skip
        return letters in words or letters in runs
    return (
        name == letters
        and len(letters) >= 3
        and letters[0].isupper()
        and any(w != letters and w.startswith(letters) and w[0].isupper() for w in words)
    )


def candidates(
    question: str, cited: Sequence[tuple[int, int, str, Sequence[Entity]]]
) -> list[Candidate]:
    """Entities of the cited sentences that the question does not already name (in any
    form: :func:`named_by_question`), without a trailing possessive ("New York's" -> "New
    York").

    ``cited``: (citation number, offset of the sentence in its source text, sentence text,
    its entities with offsets into the sentence).
    """
    out = []
    for n, offset, text, ents in cited:
        for e in ents:
            name = _POSSESSIVE.sub("", e.text).rstrip() or e.text
            if not _words(name) or named_by_question(name, question, e.label):
                continue
            start = offset + e.start
            out.append(Candidate(name, e.label, n, start, start + len(name), text))
    return out


def _mentions(sentence_folded: str, candidate_folded: str) -> bool:
    return f" {candidate_folded} " in f" {sentence_folded} "


def _key(text: str) -> str:
    return " ".join(_WORD.findall(fold(text)))


FEATURES = ("log_type", "support", "articles", "mentions", "lead")
"""What the short-answer model reads of a candidate beside its cross-encoder logit
(:func:`candidate_features`)."""


def _support(key: str, support: Sequence[tuple[str, str, float]]) -> tuple[float, int, int]:
    """(the best evidence probability per article summed over articles, articles, sentences)
    of the top sentences that mention the candidate."""
    per_article: dict[str, float] = {}
    mentions = 0
    for article_id, sentence, p in support:
        if _mentions(" ".join(_WORD.findall(sentence)), key):
            per_article[article_id] = max(per_article.get(article_id, 0.0), p)
            mentions += 1
    return sum(per_article.values()), len(per_article), mentions


def candidate_features(
    cands: Sequence[Candidate],
    types: Mapping[str, float],
    support: Sequence[tuple[str, str, float]],
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate (``support`` as for :func:`pick_short`).

    >>> c = Candidate("Ann Lee", "PERSON", 1, 0, 7, "Ann Lee won the race.")
    >>> support = [("a", "ann lee won the race", 0.5), ("b", "ann lee said", 0.25)]
    >>> candidate_features([c], {"PERSON": 0.8}, support).round(3).tolist()
    [[-0.222, 0.6, 1.099, 1.099, 1.0]]
    """
    rows = []
    for c in cands:
        t = types.get(c.label, 0.0)
        total, articles, mentions = _support(_key(c.text), support)
        rows.append([math.log(t + 1e-3), t * total, math.log1p(articles), math.log1p(mentions),
                     float(c.n == 1)])  # fmt: skip
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def pair_text(c: Candidate) -> str:
    """What the cross-encoder reads of a candidate (beside the question).

    >>> pair_text(Candidate("Ann Lee", "PERSON", 1, 0, 7, "Ann Lee won."))
    'Ann Lee | Ann Lee won.'
    """
    return f"{c.text} | {c.sentence}"


class ShortModel:
    """The fitted candidate scorer, loaded by path: the cross-encoder's logit of each
    (question, :func:`pair_text`) and :data:`FEATURES`, standardised and weighed linearly;
    the best candidate of a question is the one scored highest."""

    def __init__(self, path: Path = DEFAULT_SHORT_MODEL) -> None:
        from qa.rerank import CrossEncoderReranker

        file = Path(path) / "weights.json"
        if not file.is_file():
            raise ModelMissing(
                f"No short-answer model at {path}. Train it with: qa train --parts short"
            )
        data = json.loads(file.read_text(encoding="utf-8"))
        if tuple(data["features"]) != (*FEATURES, "ce"):
            raise ModelMissing(
                f"The short-answer model at {path} reads other features; retrain it."
            )
        self.coef = np.asarray(data["coef"], dtype=np.float64)
        self.mean = np.asarray(data["mean"], dtype=np.float64)
        self.scale = np.asarray(data["scale"], dtype=np.float64)
        self.meta: dict[str, object] = data.get("meta", {})
        self.ranker = CrossEncoderReranker(
            Path(path), missing_hint="Train it with: qa train --parts short"
        )

    def scores(
        self, question: str, cands: Sequence[Candidate], rows: np.ndarray, top: int | None = None
    ) -> np.ndarray:
        """One score per candidate; ``rows`` are their :func:`candidate_features`. With
        ``top``, the cross-encoder reads only the ``top`` candidates its other features rank
        first; the rest score -inf."""
        z = (rows - self.mean[:-1]) / self.scale[:-1]
        cheap = z @ self.coef[:-1]
        chosen = np.argsort(-cheap, kind="stable")[:top] if top else np.arange(len(cands))
        ce = np.asarray(self.ranker.score(question, [pair_text(cands[i]) for i in chosen]))
        out = np.full(len(cands), -np.inf)
        out[chosen] = cheap[chosen] + (ce - self.mean[-1]) / self.scale[-1] * self.coef[-1]
        return out


def pick_short(
    cands: Sequence[Candidate],
    types: Mapping[str, float],
    support: Sequence[tuple[str, str, float]],
    min_score: float = 0.15,
    model: ShortModel | None = None,
    question: str = "",
) -> ShortAnswer | None:
    """The best-supported candidate of a likely type, or None.

    ``support``: (article id, folded sentence, evidence probability) of the top sentences.
    With a ``model`` (and the ``question``), the model picks among the candidates; the best
    support must still reach ``min_score``.
    """
    if not cands:
        return None
    rows = candidate_features(cands, types, support)
    support_scores = rows[:, FEATURES.index("support")]
    best = int(np.argmax(support_scores))  # the first of equals
    if support_scores[best] < min_score:
        return None
    if model is not None:
        best = int(np.argmax(model.scores(question, cands, rows, CE_CANDIDATES)))
    c = fuller(cands[best], cands)
    return ShortAnswer(c.text, c.n, c.start, c.end, c.label, float(support_scores[best]))


NAMES = frozenset(LABELS[: LABELS.index("LANGUAGE") + 1])
"""spaCy's labels of names (PERSON ... LANGUAGE): the ones :func:`fuller` completes. An
amount, a date or a noun chunk is not ("about $134 million" for "$134 million",
"metastatic prostate cancer" for "prostate cancer": dev lost both exact matches)."""


def fuller(best: Candidate, cands: Sequence[Candidate]) -> Candidate:
    """The fullest mention of the chosen name among the candidates: one of the same label
    (one of :data:`NAMES`) that ends with its words ("Mamdani" -> "Zohran Mamdani" where a
    quote names him in full; "Commanders" -> "Washington Commanders"), the one of most
    words, the first cited of equals; else the candidate itself.

    >>> short = Candidate("Mamdani", "PERSON", 1, 40, 47)
    >>> full = Candidate("Zohran Mamdani", "PERSON", 2, 10, 24)
    >>> other = Candidate("Andrew Mamdani", "ORG", 2, 30, 44)
    >>> fuller(short, [short, other, full]).text
    'Zohran Mamdani'
    >>> fuller(full, [short, full]).text
    'Zohran Mamdani'
    >>> money = Candidate("$134 million", "MONEY", 1, 0, 12)
    >>> fuller(money, [money, Candidate("about $134 million", "MONEY", 2, 0, 18)]).text
    '$134 million'
    """
    if best.label not in NAMES:
        return best
    longer = [c for c in cands if c.label == best.label and c.text.endswith(" " + best.text)]
    return max(longer, key=lambda c: (len(c.text.split()), -c.n, -c.start)) if longer else best
