"""Evaluation metrics: pure functions over plain values, each with a worked example.

Retrieval (binary relevance over ranked ids), answer quality (SQuAD-style), abstention,
staleness for time questions, latency percentiles, and ALCE-style citation recall/precision.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "AbstentionScores",
    "CitationScores",
    "SupportFn",
    "abstention_scores",
    "answer_correct",
    "citation_scores",
    "exact_match",
    "f1",
    "hit_at_k",
    "is_stale_answer",
    "mrr_at_k",
    "ndcg_at_k",
    "normalize_answer",
    "percentile",
    "recall_at_k",
    "split_answer_sentences",
]

SupportFn = Callable[[str, str], bool]
"""``judge(claim, passage) -> bool``: does the passage support the claim?"""


# --------------------------------------------------------------------------- retrieval


def _first_hits(retrieved: Sequence[str], relevant: Collection[str], k: int) -> list[int]:
    """0-based ranks (within the top k) where a relevant id shows up for the first time."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if not relevant:
        raise ValueError("no relevant ids: retrieval metrics are undefined; skip this question")
    seen: set[str] = set()
    ranks = []
    for i, rid in enumerate(retrieved[:k]):
        if rid in relevant and rid not in seen:
            ranks.append(i)
        seen.add(rid)
    return ranks


def hit_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1.0 if any relevant id is among the first k retrieved, else 0.0.

    >>> hit_at_k(["a", "b", "c"], {"c"}, 2), hit_at_k(["a", "b", "c"], {"c"}, 3)
    (0.0, 1.0)

    Raises ValueError when ``relevant`` is empty (unanswerable questions have no gold ids).
    """
    return 1.0 if _first_hits(retrieved, relevant, k) else 0.0


def recall_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant ids found in the first k; a repeated id counts once.

    >>> recall_at_k(["a", "x", "a", "b"], {"a", "b"}, 3)
    0.5
    """
    return len(_first_hits(retrieved, relevant, k)) / len(set(relevant))


def mrr_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Reciprocal rank of the first relevant id within the first k (0.0 when none).

    >>> mrr_at_k(["x", "y", "a"], {"a"}, 3), mrr_at_k(["x", "y", "a"], {"a"}, 2)
    (0.3333333333333333, 0.0)
    """
    ranks = _first_hits(retrieved, relevant, k)
    return 1.0 / (ranks[0] + 1) if ranks else 0.0


def ndcg_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Binary-relevance NDCG cut at k; the ideal DCG counts min(|relevant|, k) hits.

    (llama-index's NDCG does not cut the ideal list at k, which caps scores below 1.0
    whenever there are more relevant ids than k; this one reaches 1.0.)

    >>> ndcg_at_k(["a", "b"], {"a", "b", "c"}, 2)
    1.0
    >>> round(ndcg_at_k(["x", "a"], {"a"}, 2), 4)  # 1/log2(3)
    0.6309
    """
    ranks = _first_hits(retrieved, relevant, k)
    dcg = sum(1.0 / math.log2(r + 2) for r in ranks)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(set(relevant)), k)))
    return dcg / ideal


# --------------------------------------------------------------------------- answers

_ARTICLES_RE = re.compile(r"\b(a|an|the)\b")


_POSSESSIVE_RE = re.compile(r"(?<=\w)['’]s\b")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation (lowercase, no punctuation, no articles, single spaces),
    plus accent folding, dashes read as spaces, and possessive 's dropped.

    >>> normalize_answer("The  U.S. Embassy in Bogotá!")
    'us embassy in bogota'
    >>> normalize_answer("Venezuela–US talks")
    'venezuela us talks'
    >>> normalize_answer("Maduro’s re-election")
    'maduro re election'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _POSSESSIVE_RE.sub("", text)
    out = []
    for c in text:
        cat = unicodedata.category(c)
        if cat == "Pd":
            out.append(" ")
        elif not (cat.startswith("P") or c in string.punctuation):
            out.append(c)
    return " ".join(_ARTICLES_RE.sub(" ", "".join(out)).split())


def exact_match(prediction: str, aliases: Iterable[str]) -> float:
    """1.0 if the normalised prediction equals any normalised alias.

    >>> exact_match("the Kerry", ["John Kerry", "Kerry"])
    1.0
    """
    pred = normalize_answer(prediction)
    return max((1.0 if pred == normalize_answer(a) else 0.0 for a in aliases), default=0.0)


def _token_f1(pred: list[str], gold: list[str]) -> float:
    common = Counter(pred) & Counter(gold)
    same = sum(common.values())
    if not pred or not gold:
        return float(pred == gold)
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def f1(prediction: str, aliases: Iterable[str]) -> float:
    """SQuAD token F1, best over the aliases (0.0 when there are none).

    >>> round(f1("Secretary John Kerry", ["John Kerry"]), 3)
    0.8
    """
    pred = normalize_answer(prediction).split()
    return max((_token_f1(pred, normalize_answer(a).split()) for a in aliases), default=0.0)


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def answer_correct(answer: str, aliases: Iterable[str]) -> bool:
    """True when some alias appears in the answer as whole normalised tokens.

    >>> answer_correct("They met in Antigua, Guatemala [1].", ["Antigua"])
    True
    >>> answer_correct("Antiguans were there.", ["Antigua"])
    False
    """
    tokens = normalize_answer(answer).split()
    return any(_contains(tokens, normalize_answer(a).split()) for a in aliases)


def is_stale_answer(answer: str, current: Iterable[str], stale: Iterable[str]) -> bool:
    """An outdated answer: it names an older value (``stale``) but not the current one.

    >>> is_stale_answer("Maduro leads Venezuela.", ["Delcy Rodriguez"], ["Maduro"])
    True
    >>> is_stale_answer("Delcy Rodriguez, after Maduro's capture.", ["Delcy Rodriguez"], ["Maduro"])
    False
    """
    return answer_correct(answer, stale) and not answer_correct(answer, current)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default.

    >>> percentile([1, 2, 3, 4], 50), percentile([10, 20, 30], 95)
    (2.5, 29.0)
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0..100, got {q}")
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(s[lo] + (s[hi] - s[lo]) * (pos - lo))


@dataclass(frozen=True)
class AbstentionScores:
    """``rejection_rate``: share of should-abstain questions where the system abstained
    (higher is better). ``false_refusal_rate``: share of answerable questions it declined
    (lower is better). A rate is None when its group is empty."""

    rejection_rate: float | None
    false_refusal_rate: float | None
    n_should_abstain: int
    n_answerable: int


def abstention_scores(results: Iterable[tuple[bool, bool]]) -> AbstentionScores:
    """``results``: (should_abstain, abstained) per question.

    >>> abstention_scores([(True, True), (True, False), (False, False), (False, True)])
    AbstentionScores(rejection_rate=0.5, false_refusal_rate=0.5, n_should_abstain=2, n_answerable=2)
    """
    pairs = list(results)
    rejected = [abstained for should, abstained in pairs if should]
    refused = [abstained for should, abstained in pairs if not should]
    return AbstentionScores(
        rejection_rate=sum(rejected) / len(rejected) if rejected else None,
        false_refusal_rate=sum(refused) / len(refused) if refused else None,
        n_should_abstain=len(rejected),
        n_answerable=len(refused),
    )


# --------------------------------------------------------------------------- citations

_MARKERS = r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])+"
_TRAILING_MARKERS_RE = re.compile(rf"([.!?][\"”’')]*)({_MARKERS})")
_MARKER_RE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_ABBREV = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "no", "gen", "gov", "sen", "rep"}
_ABBREV |= {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
_BOUNDARY_RE = re.compile(r"(?<=[.!?])[\"”’')]*\s+")


def _is_abbreviation(before: str) -> bool:
    word = before.rstrip(".!?").split()[-1] if before.strip() else ""
    word = word.lstrip("(\"“'")
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word)) or word.lower() in _ABBREV


def split_answer_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Answer sentences with the citation numbers they carry, markers removed.

    A marker right after the full stop belongs to the sentence before it.

    >>> split_answer_sentences("Kerry met Jaua [1]. They agreed to talk.[2][3] No source here.")
    [('Kerry met Jaua.', [1]), ('They agreed to talk.', [2, 3]), ('No source here.', [])]
    >>> split_answer_sentences("U.S. officials met on Jan. 9 [1, 2].")
    [('U.S. officials met on Jan. 9.', [1, 2])]
    """
    text = _TRAILING_MARKERS_RE.sub(lambda m: f"{m.group(2)}{m.group(1)}", text.strip())
    pieces: list[str] = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        if _is_abbreviation(text[start : m.start()]):
            continue
        pieces.append(text[start : m.end()])
        start = m.end()
    pieces.append(text[start:])
    out: list[tuple[str, list[int]]] = []
    for piece in pieces:
        numbers = [int(n) for m in _MARKER_RE.finditer(piece) for n in m.group(1).split(",")]
        sentence = " ".join(_MARKER_RE.sub(" ", piece).split())
        sentence = re.sub(r"\s+([.,;:!?])", r"\1", sentence)
        if sentence:
            out.append((sentence, list(dict.fromkeys(numbers))))
    return out


@dataclass(frozen=True)
class CitationScores:
    """ALCE citation recall and precision over one or many answers."""

    recall: float
    precision: float
    n_sentences: int
    n_citations: int


def citation_scores(
    sentences: Sequence[tuple[str, Sequence[int]]],
    passages: Mapping[int, str],
    judge: SupportFn,
) -> CitationScores:
    """ALCE (Gao et al. 2023) citation recall and precision, with ``judge`` as the NLI model.

    Recall: share of sentences supported by the union of their cited passages (a sentence
    with no citation, or citing a number with no passage, scores 0).
    Precision: share of citations that matter. In a supported sentence, a citation counts
    when it supports the sentence alone, or when the others without it no longer do (ALCE's
    "irrelevant" citation fails both). Citations of an unsupported sentence all count 0.
    Scores are 0.0 when there is nothing to score.

    >>> judge = lambda claim, passage: all(w in passage for w in claim.split())
    >>> passages = {1: "Kerry met Jaua", 2: "in Antigua", 3: "weather was nice"}
    >>> citation_scores([("Kerry met Jaua", [1, 3]), ("Jaua in Antigua", [1, 2])], passages, judge)
    CitationScores(recall=1.0, precision=0.75, n_sentences=2, n_citations=4)
    """
    supported = 0
    precise = 0
    n_citations = 0
    for sentence, cited in sentences:
        refs = list(dict.fromkeys(cited))
        n_citations += len(refs)
        if not refs or any(r not in passages for r in refs):
            continue
        if not judge(sentence, "\n".join(passages[r] for r in refs)):
            continue
        supported += 1
        if len(refs) == 1:
            precise += 1
            continue
        for r in refs:
            others = "\n".join(passages[o] for o in refs if o != r)
            if judge(sentence, passages[r]) or not judge(sentence, others):
                precise += 1
    return CitationScores(
        recall=supported / len(sentences) if sentences else 0.0,
        precision=precise / n_citations if n_citations else 0.0,
        n_sentences=len(sentences),
        n_citations=n_citations,
    )
