"""Question analysis: what kind of answer is wanted, which words matter, which time frame.

Pure functions, no models. The answerer uses the result to prefer sentences that contain
the kind of thing asked for (a person for "who", a date for "when", a number for "how many").

>>> q = analyze("Who met Elías Jaua in Guatemala?")
>>> q.qtype, q.entities
('who', ('Elías Jaua', 'Guatemala'))
>>> analyze("How many political prisoners were there?").qtype
'how_many'
>>> analyze("Is the US embassy in Caracas open now?").wants_latest
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

QType = Literal["who", "when", "where", "how_many", "why", "how", "what", "yesno", "other"]

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves also said says say tell told
    according did does do get got s t re ve ll d m o y ever still yet currently current latest today
    recently recent happened happen any many much way ways one""".split()
)

_LATEST = re.compile(
    r"\b(now|current(?:ly)?|latest|most recent(?:ly)?|today|these days|at present|presently|"
    r"still|anymore|any more|yet|so far|newest|up to date)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_CAPSPAN = re.compile(
    r"\b([A-ZÁÉÍÓÚÑÜ][\w’'.-]*(?:\s+(?:de|del|la|of|the|y|da|dos)?\s*[A-ZÁÉÍÓÚÑÜ][\w’'.-]*)*)"
)
_QWORDS = frozenset(
    "who whom whose what when where why how which is are was were do does did can could will "
    "would should has have had name list tell give".split()
)


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    qtype: QType
    terms: tuple[str, ...]  # content words, normalised and stemmed
    entities: tuple[str, ...]  # capitalised spans as written
    years: tuple[int, ...]
    wants_latest: bool


def fold(text: str) -> str:
    """Lower-case and strip accents: ``fold("Elías") == "elias"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def stem(word: str) -> str:
    """A tiny suffix stripper, enough to match "talks"/"talk", "met"/"meeting" is left alone.

    >>> [stem(w) for w in ["talks", "relations", "sanctions", "agreed", "running", "ties"]]
    ['talk', 'relation', 'sanction', 'agree', 'run', 'tie']
    """
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, keep in (("ies", 3), ("sses", 4), ("ness", 4), ("ing", 4), ("ed", 4), ("es", 4)):
        if w.endswith(suffix) and len(w) - len(suffix) >= keep - 1:
            base = w[: -len(suffix)]
            if suffix == "ies":
                return base + "ie" if len(base) <= 2 else base + "y"
            if suffix in ("ing", "ed") and len(base) > 2 and base[-1] == base[-2]:
                base = base[:-1]
            if suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
                return w[:-1]
            if suffix == "ed" and base.endswith(("agre", "sav")):
                return base + "e"
            return base
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        return w[:-1]
    return w


def tokens(text: str) -> list[str]:
    """Folded word tokens: ``tokens("Maduro’s talks") == ["maduro's", "talks"]``."""
    return [fold(m.group(0)).replace("’", "'") for m in _WORD.finditer(text)]


def content_terms(text: str) -> list[str]:
    """Stemmed content words, stopwords dropped, order kept (duplicates kept)."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and len(t) > 1]


def entities(text: str) -> tuple[str, ...]:
    """Capitalised spans that are not merely the sentence's first (question) word."""
    found: list[str] = []
    for m in _CAPSPAN.finditer(text):
        span = m.group(1).strip(" .'’-")
        words = span.split()
        while words and (words[0].lower() in _QWORDS or words[0].lower() in STOPWORDS):
            words = words[1:]
        if not words:
            continue
        span = " ".join(words)
        if m.start() == 0 and len(words) == 1 and span.lower() in _QWORDS:
            continue
        if span.lower() in STOPWORDS:
            continue
        found.append(span)
    return tuple(dict.fromkeys(found))


def question_type(text: str) -> QType:
    t = fold(text).strip()
    if re.search(r"\bhow (many|much)\b|\bwhat (number|percentage|share)\b", t):
        return "how_many"
    if re.search(r"\b(when|what (date|day|month|year|time)|which (date|day|month|year))\b", t):
        return "when"
    if re.search(r"\b(where|which (city|country|place|capital))\b|\bin what (city|country)\b", t):
        return "where"
    if re.search(r"^(who|whom|whose)\b|\bwho\b|\bwhich (person|official|minister|leader)\b", t):
        return "who"
    if re.search(r"\bwhy\b|\bwhat (was|is) the reason\b", t):
        return "why"
    if re.search(r"^how\b", t):
        return "how"
    if re.search(r"^(is|are|was|were|do|does|did|has|have|had|can|could|will|would)\b", t):
        return "yesno"
    if re.search(r"\b(what|which)\b", t):
        return "what"
    return "other"


def analyze(text: str) -> QuestionInfo:
    return QuestionInfo(
        text=text,
        qtype=question_type(text),
        terms=tuple(dict.fromkeys(content_terms(text))),
        entities=entities(text),
        years=tuple(int(y) for y in _YEAR.findall(text)),
        wants_latest=bool(_LATEST.search(text)),
    )
