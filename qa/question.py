"""Question analysis: what kind of answer is wanted, which words matter, which time frame.

Pure functions, no models (the tense of the main clause is passed in, read by
:mod:`qa.timeframe`). The answerer uses the result to prefer sentences that contain the kind
of thing asked for (a person for "who", a date for "when", a number for "how many") and to
read the time frame (the present, a period, or any time).

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
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import snowballstemmer

from qa.timeframe import Frame, Tense, frame_of
from qa.timeref import CALENDAR_WORDS, MONTHS, resolve_relative, sort_key

_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()  # a Snowball stemmer keeps per-call state

QType = Literal[
    "who", "when", "where", "how_many", "why", "how", "what", "yesno", "other", "describe"
]  # fmt: skip
"""``describe``: "Who is Delcy Rodriguez?", a who-question about a person it names (set by
``Assistant._find``, which reads the parse and the names: see ``_defines_person``)."""

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
    r"still|anymore|any more|yet|so far|newest|up to date|right now|nowadays|"
    r"later|since then|afterwards|subsequently)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_FIGURE = re.compile(r"(?<![\w.,\-])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\w|[.,]\d)")
_QUOTED = re.compile(
    r"""(?:^|(?<=[\s(]))(?:"([^"]{2,80})"|“([^”]{2,80})”|‘([^’]{2,80})’|'([^']{2,80})')"""
    r"(?=[\s,.?!:;)]|$)"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_CAPSPAN = re.compile(
    r"\b([A-ZÁÉÍÓÚÑÜ][\w’'.-]*(?:\s+(?:de|del|la|of|the|y|da|dos)?\s*[A-ZÁÉÍÓÚÑÜ][\w’'.-]*)*)"
)
_QWORDS = frozenset(
    "who whom whose what when where why how which is are was were do does did can could will "
    "would should has have had name list tell give".split()
)


_MONTHS = [m.lower() for m in MONTHS]
_MONTH_YEAR = re.compile(
    r"\b(" + "|".join(_MONTHS) + r")\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?\s+(19\d{2}|20\d{2})\b",
    re.IGNORECASE,
)
_SINCE_NOW = re.compile(
    r"\bsince\b(?!\s+(?:\d|the\b|then\b|last\b|early\b|late\b|" + "|".join(_MONTHS) + r"))",
    re.IGNORECASE,
)
_NOT_ENTITIES = CALENDAR_WORDS | {"what's", "who's", "where's"}


# "who runs / leads / governs / rules / heads X?" asks for X's leader, whatever the verb:
# news names leaders by title ("Venezuela's interim President Delcy Rodriguez"), so a title
# next to X stands for the verb (stems; qa.evidence.titled checks the "next to X")
_LEADING_VERBS = frozenset("run ran lead led govern rule head helm charg".split())
_LEADER_TITLES = frozenset(
    "presid leader premier chancellor governor minist king queen chief".split()
)


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    qtype: QType
    terms: tuple[str, ...]  # content words, normalised and stemmed
    entities: tuple[str, ...]  # capitalised spans as written
    years: tuple[int, ...]
    wants_latest: bool  # says "now", "currently", "still", "since then", ... (see ``frame``)
    period: tuple[int, int] | None = None  # inclusive sort keys (see qa.timeref.sort_key)
    frame: Frame = "any"  # the present, a past period, or any time (qa.timeframe)
    # a term and the other stems that count as it ("run" -> "presid", "leader", ...)
    alternatives: tuple[tuple[str, frozenset[str]], ...] = ()
    figures: tuple[str, ...] = ()  # amounts and counts it gives in digits (see ``figures``)
    quoted: tuple[str, ...] = ()  # words it quotes ('a "slimy" row'; see ``quoted``)

    @property
    def search_terms(self) -> tuple[str, ...]:
        """The terms plus their alternatives, for keyword search."""
        extra = (t for _, alts in self.alternatives for t in sorted(alts))
        return tuple(dict.fromkeys((*self.terms, *extra)))


def alternatives(qtype: QType, terms: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    """Stems that count as a question term: a leader's titles for the verb of "who runs X?",
    and the other titles for the title of "who is the leader of X?" (either counts only next
    to another question word: see ``qa.evidence.titled``).

    >>> alternatives("who", ("run", "venezuela"))[0][0]
    'run'
    >>> "presid" in alternatives("who", ("lead", "venezuela"))[0][1]
    True
    >>> "presid" in alternatives("who", ("leader", "venezuela"))[0][1]
    True
    >>> alternatives("what", ("run", "venezuela"))
    ()
    """
    if qtype != "who":
        return ()
    return tuple(
        (t, _LEADER_TITLES - {t}) for t in terms if t in _LEADING_VERBS or t in _LEADER_TITLES
    )


def fold(text: str) -> str:
    """Lower-case and strip accents: ``fold("Elías") == "elias"``."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_combining_marks()).lower()


@lru_cache(maxsize=1)
def _combining_marks() -> dict[int, None]:
    """A ``str.translate`` table deleting every combining mark of the Basic Multilingual Plane."""
    return {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """English Snowball stem of a folded word, cached (the vocabulary is small).

    >>> [stem(w) for w in ["talks", "relations", "negotiated", "negotiations", "freed", "ties"]]
    ['talk', 'relat', 'negoti', 'negoti', 'freed', 'tie']
    """
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(w))


def tokens(text: str) -> list[str]:
    """Folded word tokens: ``tokens("Maduro’s talks") == ["maduro's", "talks"]``."""
    return [m.group(0).replace("’", "'") for m in _WORD.finditer(fold(text))]


def content_words(text: str) -> list[str]:
    """Folded words that carry content: stopwords and single letters dropped, order kept."""
    return [
        t
        for t in tokens(text)
        if len(t) > 1 and t not in STOPWORDS and t.removesuffix("'s") not in STOPWORDS
    ]


def content_terms(text: str, correct: Callable[[str], str] | None = None) -> list[str]:
    """Stemmed content words, order kept (duplicates kept); ``correct`` fixes spelling first."""
    if correct is None:
        return list(_terms(text))
    return [stem(correct(w)) for w in content_words(text)]


def figures(text: str) -> tuple[str, ...]:
    """The amounts and counts a question gives in digits, as written: the details that tell
    its event from another's ("30,000 migrants", "a 6.9 magnitude earthquake"). Not a year
    (the period reads those), not a whole number under 10 (news spells those out), not a
    digit inside a name or an ordinal ("COVID-19", "Clade 1b", "82nd").

    >>> figures("Which film won 10 Oscars in 2025, after 3 tries and a 30,000-seat 82nd gala?")
    ('10', '30,000')
    >>> figures("A 6.9 magnitude earthquake hit which COVID-19 region?")
    ('6.9',)
    """
    out = []
    for m in _FIGURE.finditer(text):
        whole = m.group(1).replace(",", "")
        if m.group(0) == whole and (int(whole) < 10 or _YEAR.fullmatch(whole)):
            continue
        out.append(m.group(0))
    return tuple(dict.fromkeys(out))


def quoted(text: str) -> tuple[str, ...]:
    """The words a question quotes (eight at most), as written: a detail the report it asks
    about gives verbatim ('a "slimy" row', "'best in show'").

    >>> quoted('Which event is in a "slimy" row after Trump’s ‘best in show’ claim?')
    ('slimy', 'best in show')
    >>> quoted("Which of Biden's and Trump's aides left?"), quoted('"Who runs Venezuela now?"')
    ((), ())

    A question typed inside quotes quotes nothing: the quotes are its own.
    """
    out = []
    for m in _QUOTED.finditer(text):
        if m.start() == 0 and not text[m.end() :].strip(" ?.!"):
            continue
        phrase = next(g for g in m.groups() if g is not None).strip(" ,.!?;:")
        if phrase and len(phrase.split()) <= 8:
            out.append(phrase)
    return tuple(dict.fromkeys(out))


def figure_pattern(figure: str) -> re.Pattern[str]:
    """A figure as text writes it, with or without thousands commas ("30,000" or "30000").

    >>> bool(figure_pattern("30,000").search("some 30000 migrants")), bool(
    ...     figure_pattern("6.9").search("a 6.95 quake"))
    (True, False)
    """
    whole, _, frac = figure.replace(",", "").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    body = ",?".join([whole, *groups]) + (r"\." + frac if frac else "")
    return re.compile(rf"(?<![\d.,]){body}(?!\d|[.,]\d)")


@lru_cache(maxsize=100_000)
def _terms(text: str) -> tuple[str, ...]:
    """Stemmed content words of a passage, cached: answering meets the same sentences often."""
    return tuple(stem(w) for w in content_words(text))


def entities(text: str) -> tuple[str, ...]:
    """Capitalised spans that are not merely the sentence's first (question) word."""
    found: list[str] = []
    for m in _CAPSPAN.finditer(text):
        span = m.group(1).strip(" .'’-")
        words = span.split()
        first_word = m.start() == 0
        while words and (words[0].lower() in _QWORDS or words[0].lower() in STOPWORDS):
            words = words[1:]
            first_word = False
        if not words:
            continue
        words = [w for w in words if fold(w) not in _NOT_ENTITIES]
        if not words:
            continue
        span = " ".join(words)
        if first_word and len(words) == 1:
            continue  # a capitalised first word is just the start of the question
        if span.lower() in STOPWORDS:
            continue
        found.append(span)
    return tuple(dict.fromkeys(found))


_LEADING: dict[str, QType] = {"who": "who", "whom": "who", "whose": "who", "where": "where",
                              "when": "when", "why": "why"}  # fmt: skip


def question_type(text: str) -> QType:
    t = fold(text).strip()
    first = re.match(r"[a-z]+", t)
    if first and first.group(0) in _LEADING:
        return _LEADING[first.group(0)]
    if re.search(r"\bhow (many|much)\b|\bwhat (number|percentage|share)\b", t):
        return "how_many"
    if re.search(r"\b(when|what (date|day|month|year|time)|which (date|day|month|year))\b", t):
        return "when"
    if re.search(r"\b(where|which (city|country|place|capital))\b|\bin what (city|country)\b", t):
        return "where"
    if re.search(r"^(who|whom|whose)\b|\bwho\b|\bwhich (person|official|minister|leader)\b", t):
        return "who"
    if re.search(r"\b(what is|what's|what was|give|tell me) the names? of\b|\bname the\b", t):
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


def period(text: str) -> tuple[int, int] | None:
    """The time frame a question asks about, as inclusive sort keys.

    >>> period("Who was president in June 2013?")
    (20130600, 20130699)
    >>> period("What happened between 2019 and 2024?")
    (20190000, 20249999)
    >>> period("Who leads now?") is None
    True
    """
    months = [(int(y), _MONTHS.index(m.lower()) + 1) for m, y in _MONTH_YEAR.findall(text)]
    if months:
        lo = min(months)
        hi = max(months)
        return lo[0] * 10000 + lo[1] * 100, hi[0] * 10000 + hi[1] * 100 + 99
    years = [int(y) for y in _YEAR.findall(text)]
    if years:
        return min(years) * 10000, max(years) * 10000 + 9999
    return None


def relative_period(text: str, now: str | None, tense: Tense) -> tuple[int, int] | None:
    """The period of a relative expression ("last year", "this month"; "in March" only in
    a past-tense question: "will host in September" is no past September), read against
    ``now``, the corpus's newest article date. Weekdays are not read: a question's "on
    Tuesday" has no week to belong to.

    >>> relative_period("Who won the race last year?", "2025-03-10", "past")
    (20240000, 20249999)
    >>> relative_period("Who spoke in January?", "2025-03-10", "past")
    (20250100, 20250199)
    >>> relative_period("Who will host in September?", "2025-03-10", "none") is None
    True
    """
    found = [
        iso
        for phrase, iso in resolve_relative(text, now)
        if not phrase.split()[-1].istitle() or tense == "past"
    ]
    found = [iso for iso in found if iso.count("-") < 2]  # no weekdays (day-precise)
    if not found:
        return None
    keys = [sort_key(iso) for iso in found]
    his = [k + (99 if iso.count("-") else 9999) for k, iso in zip(keys, found, strict=True)]
    return min(keys), max(his)


_WH_WORD = re.compile(r"\b(who|whom|whose|what|which|where|when|why|how)\b", re.IGNORECASE)


def _masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with the ``spans`` blanked, or the text itself when that would leave it no
    wh-word (the parse may misplace the main one).

    >>> _masked("Which app, where women meet, was hacked?", [(11, 16)])
    'Which app,       women meet, was hacked?'
    """
    out = text
    for a, b in spans:
        out = out[:a] + " " * (b - a) + out[b:]
    return out if _WH_WORD.search(out) else text


def analyze(
    text: str,
    correct: Callable[[str], str] | None = None,
    tense: Tense = "none",
    now: str | None = None,
    subordinate: Sequence[tuple[int, int]] = (),
) -> QuestionInfo:
    """Everything the answerer needs to know about a question (``correct``: a speller;
    ``tense``: of its main clause, see :mod:`qa.timeframe`; ``now``: the corpus's newest
    article date, which relative expressions are read against; ``subordinate``: the char
    spans of wh-words inside its subordinate clauses, which do not type it: "Which app,
    *where* women share ..., was hacked?" asks "which app", not "where").

    >>> analyze("Who is the president?", tense="present").frame
    'present'
    >>> analyze("Who was the president last year?", tense="past", now="2025-03").period
    (20240000, 20249999)
    """
    qtype = question_type(_masked(text, subordinate))
    terms = tuple(dict.fromkeys(content_terms(_LATEST.sub(" ", text), correct)))
    explicit = period(text)
    when = explicit if explicit is not None else relative_period(text, now, tense)
    now_word = _LATEST.search(text) or _SINCE_NOW.search(text)
    frame = frame_of(tense, when, now_word.group(0) if now_word else None)
    return QuestionInfo(
        text=text,
        qtype=qtype,
        terms=terms,
        alternatives=alternatives(qtype, terms),
        entities=entities(text),
        figures=figures(text),
        quoted=quoted(text),
        years=tuple(int(y) for y in _YEAR.findall(text)),
        wants_latest=now_word is not None,
        period=when,
        frame=frame,
    )
