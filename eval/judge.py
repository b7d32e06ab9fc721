"""Does a passage support a claim? A transparent judge without an NLI model.

The judge is strict about what a reader checks first and lenient about wording:

1. Every number (digits or number words: "more than one hundred" has 100), every month or
   weekday, and every named entity (capitalised word, accents folded, possessive dropped,
   "U.S."/"United States" read as "US") of the claim must appear in the passage.
2. Polarity must agree: a negation ("not", "no", "without", "declined", "deny", ...) next to
   the claim's words in the passage but not in the claim, or the other way round, rejects.
3. Modality must agree: a hedge ("possible", "potential", "would", "expected", ...) right
   before the claim's words in the passage, while the claim states it as done, rejects.
4. Enough of the claim's content words (stopwords out, light stemming) are in the passage:
   ``coverage >= COVERAGE_MIN``; with an embedder, a paraphrase with
   ``coverage >= COVERAGE_WITH_EMBEDDING`` also passes when its cosine to the passage is at
   least ``COSINE_MIN``.

>>> judge = SupportJudge()
>>> passage = "A recent count by Foro Penal said there were 278 political prisoners."
>>> judge.supports("Foro Penal counted 278 political prisoners.", passage)
True
>>> judge.supports("Foro Penal counted 287 political prisoners.", passage)
False

The thresholds were calibrated on ``eval/judge_pairs.jsonl`` (hand-labelled pairs from the
seed articles); ``judge_agreement`` measures it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

__all__ = [
    "COSINE_MIN",
    "COVERAGE_MIN",
    "COVERAGE_WITH_EMBEDDING",
    "DEFAULT_PAIRS",
    "JudgePair",
    "JudgeScore",
    "SupportJudge",
    "TextEmbedder",
    "judge_agreement",
    "load_judge_pairs",
]

COVERAGE_MIN = 0.7
"""Share of the claim's content stems found in the passage for lexical support.

On the labelled pairs, 0.65-0.70 is a plateau (agreement 0.893); 0.75 drops to 0.875, as
paraphrases with one or two reworded words start to fail."""
COVERAGE_WITH_EMBEDDING = 0.5
"""Lower coverage accepted when the embedding cosine vouches for a paraphrase."""
COSINE_MIN = 0.7
"""MiniLM cosine (claim vs best passage sentence or whole passage) that vouches for a
paraphrase. Calibrated: 0.70 gives 0.911 on the labelled pairs (one paraphrase rescued);
0.75 and up rescue nothing. Cosine alone separates nothing: wrong-fact claims that swap one
word score 0.67-0.72, like true paraphrases, so it never overrides the hard checks."""
SCOPE = 4
"""Tokens either side of a negation (after a hedge) that it is taken to govern."""

DEFAULT_PAIRS = Path(__file__).with_name("judge_pairs.jsonl")


class TextEmbedder(Protocol):
    """Anything that turns texts into one vector per text (rows are normalised here)."""

    def embed(self, texts: Sequence[str]) -> Any: ...


_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself of off on once only or other our ours ourselves out
    over own same she so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with you your yours yourself yourselves s t now said says say saying told
    according reported stated there's it's that's one's per via amid since""".split()
)
_NEGATIONS = frozenset(
    """not no never none nobody nothing neither nor without cannot deny denies denied denying
    decline declined declines refuse refused refuses unable unavailable""".split()
)
_HEDGES = frozenset(
    """possible possibly potential potentially may might could would should plan plans planned
    planning preparation preparations prepare preparing expected expects likely proposed
    proposes propose proposal intend intends intention hope hopes hoped""".split()
)
_TITLES = frozenset(
    """president vice secretary minister foreign prime chancellor general gen senator sen
    governor gov mr mrs ms dr sir leader chief adviser advisor ambassador interim acting first
    lady supreme national state department""".split()
)
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for m in names
}
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_DEFINITE = frozenset({"the", "these", "those", "both"})
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_ALIASES = [
    (re.compile(r"\bU\.\s?S\.(?:\s?A\.)?|\bUnited States(?: of America)?\b"), "US"),
    (re.compile(r"\bU\.\s?N\.|\bUnited Nations\b"), "UN"),
    (re.compile(r"\bU\.\s?K\.|\bUnited Kingdom\b"), "UK"),
]
_TOKEN_RE = re.compile(r"[A-Za-z]+|\d+(?:[.,]\d+)*")
_SENTENCE_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’')]))\s+|\n+")


def _fold(text: str) -> str:
    """Accents off, curly apostrophes straight, possessives and n't expanded away."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")
    for pattern, repl in _ALIASES:
        text = pattern.sub(repl, text)
    text = re.sub(r"n't\b", " not", text)
    return re.sub(r"'s?\b", "", text)


def _stem(word: str) -> str:
    """A light suffix stripper: "reopened", "reopening" and "reopens" all give "reopen".

    >>> [_stem(w) for w in ["reopened", "reopening", "countries", "snapped", "expelled"]]
    ['reopen', 'reopen', 'country', 'snap', 'expel']
    """
    w = word.lower()
    for suffix in ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ed", "es", "s"):
        if not w.endswith(suffix) or len(w) - len(suffix) < 3:
            continue
        if suffix == "s" and w.endswith(("ss", "us", "is")):
            continue
        w = w[: -len(suffix)] + ("y" if suffix == "ies" else "")
        break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiousz":
        w = w[:-1]
    return w


@dataclass(frozen=True)
class _Text:
    tokens: tuple[str, ...]  # folded, original case
    lower: tuple[str, ...]
    stems: frozenset[str]
    numbers: frozenset[str]


def _numbers(lower: Sequence[str]) -> set[str]:
    """Digit tokens and number-word runs as digit strings: "one hundred" -> "100"."""
    out: set[str] = set()
    total = current = 0
    in_run = False
    previous = ""
    for tok in [*lower, ""]:
        definite = previous in _DEFINITE and not in_run
        previous = tok
        if definite and tok in _UNITS:
            continue  # "the two countries" names a known pair, not a quantity
        if tok in _UNITS or tok in _TENS or (tok in _SCALES and in_run):
            in_run = True
            if tok in _UNITS:
                current += _UNITS[tok]
            elif tok in _TENS:
                current += _TENS[tok]
            else:
                total += max(current, 1) * _SCALES[tok]
                current = 0
            continue
        if in_run:
            out.add(str(total + current))
        total = current = 0
        in_run = False
        if tok[:1].isdigit():
            out.add(tok.replace(",", ""))
    return out


def _analyse(text: str) -> _Text:
    tokens = tuple(_TOKEN_RE.findall(_fold(text)))
    lower = tuple(t.lower() for t in tokens)
    stems = frozenset(_stem(t) for t in lower if t not in _STOPWORDS)
    return _Text(tokens, lower, stems, frozenset(_numbers(lower)))


def _content_stems(t: _Text) -> list[str]:
    return list(dict.fromkeys(_stem(w) for w in t.lower if w not in _STOPWORDS))


def _entities(t: _Text) -> list[str]:
    """Capitalised words that name something (not stopwords, titles, months or weekdays)."""
    out = []
    for tok, low in zip(t.tokens, t.lower, strict=True):
        if not tok[0].isupper() or low in _STOPWORDS or low in _TITLES:
            continue
        if low in _MONTHS or low in _WEEKDAYS or low in _UNITS or low in _TENS:
            continue
        out.append(low)
    return list(dict.fromkeys(out))


def _entity_found(entity: str, words: frozenset[str]) -> bool:
    """Exact word, or a demonym/inflection of it: "Venezuelan" matches "Venezuela"."""
    if entity in words:
        return True
    return any(
        min(len(entity), len(w)) >= 4
        and abs(len(entity) - len(w)) <= 3
        and (entity.startswith(w) or w.startswith(entity))
        for w in words
    )


def _dates(t: _Text) -> list[str]:
    out = []
    for tok, low in zip(t.tokens, t.lower, strict=True):
        if low in _WEEKDAYS or (low in _MONTHS and tok[0].isupper() and (low != "may")):
            out.append(low if low in _WEEKDAYS else str(_MONTHS[low]))
    return list(dict.fromkeys(out))


def _date_words(t: _Text) -> set[str]:
    return {
        w if w in _WEEKDAYS else str(_MONTHS[w]) for w in t.lower if w in _MONTHS or w in _WEEKDAYS
    }


def _cue_near(t: _Text, cues: frozenset[str], stems: set[str], before: int, after: int) -> bool:
    """A cue word within ``before`` tokens before / ``after`` tokens after a claim stem."""
    lows = t.lower
    for i, w in enumerate(lows):
        if w not in cues:
            continue
        window = lows[max(0, i - before) : i] + lows[i + 1 : i + 1 + after]
        if any(x not in _STOPWORDS and x not in cues and _stem(x) in stems for x in window):
            return True
    return False


@dataclass(frozen=True)
class JudgeScore:
    """The verdict with everything that led to it; ``reasons`` is empty when supported."""

    supported: bool
    coverage: float
    cosine: float | None
    missing_entities: tuple[str, ...]
    missing_numbers: tuple[str, ...]
    missing_dates: tuple[str, ...]
    negation_mismatch: bool
    hedge_mismatch: bool
    reasons: tuple[str, ...]


class SupportJudge:
    """``supports(claim, passage)``: lexical checks, plus embedding cosine when given one."""

    def __init__(self, embedder: TextEmbedder | None = None) -> None:
        self.embedder = embedder

    def supports(self, claim: str, passage: str) -> bool:
        return self.score(claim, passage).supported

    def _cosine(self, claim: str, texts: Sequence[str]) -> float:
        assert self.embedder is not None
        v = np.asarray(self.embedder.embed([claim, *texts]), dtype=np.float64)
        v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return float(np.max(v[1:] @ v[0]))

    def score(self, claim: str, passage: str) -> JudgeScore:
        c, p = _analyse(claim), _analyse(passage)
        reasons: list[str] = []
        words = frozenset(p.lower)
        missing_entities = tuple(e for e in _entities(c) if not _entity_found(e, words))
        missing_numbers = tuple(sorted(c.numbers - p.numbers))
        missing_dates = tuple(d for d in _dates(c) if d not in _date_words(p))
        if missing_entities:
            reasons.append(f"names not in passage: {', '.join(missing_entities)}")
        if missing_numbers:
            reasons.append(f"numbers not in passage: {', '.join(missing_numbers)}")
        if missing_dates:
            reasons.append("month/weekday not in passage")

        claim_stems = _content_stems(c)
        hit = [s for s in claim_stems if s in p.stems]
        coverage = len(hit) / len(claim_stems) if claim_stems else 0.0

        sentences = [s for s in _SENTENCE_RE.split(passage) if s.strip()] or [passage]
        analysed = [_analyse(s) for s in sentences]
        best_i = max(range(len(analysed)), key=lambda i: len(analysed[i].stems & set(hit)))
        best, best_text = analysed[best_i], sentences[best_i]
        stems = set(claim_stems)
        claim_neg = any(w in _NEGATIONS for w in c.lower)
        passage_neg = _cue_near(best, _NEGATIONS, stems, SCOPE, SCOPE)
        negation_mismatch = claim_neg != passage_neg
        if negation_mismatch:
            reasons.append("negation differs" if claim_neg else "passage negates the claim")
        claim_hedged = any(w in _HEDGES for w in c.lower)
        hedge_mismatch = not claim_hedged and _cue_near(best, _HEDGES, stems, 0, SCOPE)
        if hedge_mismatch:
            reasons.append("passage only says it may happen")

        targets = list(dict.fromkeys([best_text, passage]))
        cosine = self._cosine(claim, targets) if self.embedder else None
        enough = coverage >= COVERAGE_MIN or (
            cosine is not None and cosine >= COSINE_MIN and coverage >= COVERAGE_WITH_EMBEDDING
        )
        if not enough:
            reasons.append(f"too little overlap (coverage {coverage:.2f})")
        return JudgeScore(
            supported=not reasons,
            coverage=coverage,
            cosine=cosine,
            missing_entities=missing_entities,
            missing_numbers=missing_numbers,
            missing_dates=missing_dates,
            negation_mismatch=negation_mismatch,
            hedge_mismatch=hedge_mismatch,
            reasons=tuple(reasons),
        )


@dataclass(frozen=True)
class JudgePair:
    """A hand-labelled example: does ``passage`` support ``claim``?"""

    claim: str
    passage: str
    supported: bool
    kind: str = ""


def load_judge_pairs(path: Path | str = DEFAULT_PAIRS) -> list[JudgePair]:
    """Read ``{"claim", "passage", "supported", "kind"?}`` lines."""
    pairs = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            pairs.append(
                JudgePair(
                    claim=str(obj["claim"]),
                    passage=str(obj["passage"]),
                    supported=bool(obj["supported"]),
                    kind=str(obj.get("kind", "")),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise ValueError(
                f"{path} line {lineno}: need claim, passage, supported ({e})"
            ) from None
    return pairs


class _Supports(Protocol):
    def supports(self, claim: str, passage: str) -> bool: ...


def judge_agreement(pairs: Iterable[JudgePair], judge: _Supports) -> float:
    """Share of labelled pairs where the judge's verdict matches the label.

    >>> judge_agreement([JudgePair("Kerry met Jaua.", "Kerry met Jaua on Wednesday.", True)],
    ...                 SupportJudge())
    1.0
    """
    items = list(pairs)
    if not items:
        raise ValueError("no labelled pairs")
    return sum(judge.supports(p.claim, p.passage) == p.supported for p in items) / len(items)
