"""Questions about the time between two events: "How many years after X did Y?".

No single sentence answers them; two do, each dating one event. The question is split into
its two events, each is answered on its own (same retrieval and evidence as any question),
and the answer is the difference between the two dates found *in the cited sentences*
(an explicit "in 2008" / "March 2019", or a relative "in March" read against the article's
date), with both sentences quoted. Without a dated sentence for each event there is no
arithmetic: the question is answered the ordinary way.

>>> q = parse_interval("How many years after Chavez expelled the US ambassador did "
...                    "Washington suspend its embassy in Caracas?")
>>> q.unit, q.first, q.second
('years', 'Chavez expelled the US ambassador', 'Washington suspend its embassy in Caracas')
>>> event_date("Chávez expelled the American ambassador in 2008, accusing the United States.", None)
('2008', '2008')
>>> event_date("Chávez died in March.", "2013-06")
('in March', '2013-03')
>>> difference("2008", "2019-03", "years")
'11 years'
>>> difference("2013-03", "2026-01", "years")
'about 13 years'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa.compose import Composed, Policy, citation_for, display
from qa.evidence import Evidence
from qa.snapshot import Sentence, Snapshot
from qa.timeref import MONTHS, human_date, resolve_relative, sort_key

_LEAD = r"^(?:about |roughly |approximately |around |so )?"
_HOW = r"how (?:many (?P<unit>years|months|days)|long|much time)"
_AUX = r"(?:did|was|were|had|has|have|is|are|does|do|would|could)"
_AFTER = re.compile(
    _LEAD + _HOW + r" (?:passed |elapsed |went by )?(?P<dir>after|before) (?P<a>.+?) " + _AUX
    + r" (?P<b>.+?)\W*$",
    re.IGNORECASE,
)  # fmt: skip
_BETWEEN = re.compile(
    _LEAD
    + _HOW
    + r" (?:passed |elapsed |went by |was there )?between (?P<a>.+?) and (?P<b>.+?)\W*$",
    re.IGNORECASE,
)
_EXPLICIT = re.compile(r"\b(?:(" + "|".join(MONTHS) + r")\s+(?:\d{1,2},?\s+)?)?((?:19|20)\d{2})\b")


# "after <event>" / "since <the event>": not a date ("after 2019", "since January" are periods)
_ANCHOR = re.compile(
    r"\b(?:after|since)\s+(?P<event>(?:the |a |an |[A-ZÁÉÍÓÚÑ]|\w+['’]s\b)[^,;?]*?)\s*(?:[,;?]|$)"
)
_CALENDAR_ONLY = re.compile(
    r"^(?:the |early |late |mid-?)*(?:(?:" + "|".join(MONTHS) + r")\b\s*\d{0,2},?\s*)?"
    r"(?:(?:19|20)\d{2})?$",
    re.IGNORECASE,
)


def parse_anchor(text: str) -> str | None:
    """The event a question places its answer after ("... after Maduro's capture?"), or None.

    >>> parse_anchor("When will they vote after Maduro's capture?")
    "Maduro's capture"
    >>> parse_anchor("What changed after January 2026?") is None
    True
    >>> parse_anchor("Has Washington since appointed a diplomat?") is None
    True
    """
    if parse_interval(text) is not None:
        return None
    m = _ANCHOR.search(" ".join(text.split()))
    if m is None:
        return None
    event = m.group("event").strip()
    return None if _CALENDAR_ONLY.match(event) else event


def anchor_date(
    snap: Snapshot, evidence: Sequence[Evidence], threshold: float, look: int = 5
) -> tuple[str, Sentence | None] | None:
    """When the event of ``evidence`` (best first) happened, as far as the articles say:
    (ISO year, year-month or date; the sentence that dates it). The date a sentence about it
    gives, else the date of the article of the best sentence reporting it (it cannot have
    happened later; no sentence then). None when no sentence above ``threshold`` is about it."""
    dated = _dated(snap, evidence[:look], threshold, ())
    if dated is not None:
        return dated[1], dated[0].sentence
    if not evidence or evidence[0].score < threshold:
        return None
    published = snap.articles[evidence[0].sentence.article_id].published
    return (published, None) if published is not None and sort_key(published) else None


@dataclass(frozen=True)
class IntervalQuestion:
    """The two events, in time order as asked (``first`` happened first), and the unit."""

    first: str
    second: str
    unit: str  # "years", "months" or "days"


def parse_interval(text: str) -> IntervalQuestion | None:
    """The two events of a "how long after/before/between" question, else None."""
    text = " ".join(text.split())
    m = _AFTER.match(text)
    if m:
        a, b = m.group("a"), m.group("b")
        first, second = (a, b) if m.group("dir").lower() == "after" else (b, a)
        return IntervalQuestion(first, second, (m.group("unit") or "years").lower())
    m = _BETWEEN.match(text)
    if m:
        return IntervalQuestion(m.group("a"), m.group("b"), (m.group("unit") or "years").lower())
    return None


def event_date(sentence: str, published: str | None) -> tuple[str, str] | None:
    """The one date a sentence gives for its event: ``(phrase, ISO year or year-month)``.

    Explicit dates win ("in March 2019"), then relative ones read against ``published``
    ("in March" in a June 2013 article). None when the sentence has no date or several.
    """
    found: dict[str, str] = {}
    for m in _EXPLICIT.finditer(sentence):
        month, year = m.group(1), m.group(2)
        iso = f"{year}-{MONTHS.index(month) + 1:02d}" if month else year
        found.setdefault(iso, m.group(0))
    if not found:
        for phrase, iso in resolve_relative(sentence, published):
            found.setdefault(iso[:7], phrase)
    if len({iso[:4] for iso in found}) != 1:
        return None
    iso = max(found, key=len)  # the most precise reading of that year
    return found[iso], iso


def difference(earlier: str, later: str, unit: str) -> str | None:
    """The time from ``earlier`` to ``later`` (ISO year or year-month) in words, or None
    when it is negative. Whole years when either date has only a year.
    """
    y1, m1 = int(earlier[:4]), int(earlier[5:7]) if len(earlier) >= 7 else None
    y2, m2 = int(later[:4]), int(later[5:7]) if len(later) >= 7 else None
    if m1 is None or m2 is None:
        years = y2 - y1
        if years < 0:
            return None
        return (
            f"{years} year{'s' if years != 1 else ''}"
            if unit != "months"
            else f"about {12 * years} months"
        )
    months = (y2 - y1) * 12 + (m2 - m1)
    if months < 0:
        return None
    if unit == "months" or months < 12:
        return f"{months} month{'s' if months != 1 else ''}"
    years, rest = divmod(months, 12)
    if rest == 0:
        return f"{years} year{'s' if years != 1 else ''}"
    rounded = years + (1 if rest >= 6 else 0)
    return f"about {rounded} year{'s' if rounded != 1 else ''}"


def answer_interval(
    snap: Snapshot,
    question: IntervalQuestion,
    find: Callable[[str], Sequence[Evidence]],
    policy: Policy,
    look: int = 5,
) -> Composed | None:
    """The answer from two dated sentences, one per event (``find`` scores evidence for an
    event's words), or None when either event has no dated sentence above the threshold."""
    found: list[tuple[Evidence, str]] = []
    for text in (question.first, question.second):
        taken = [e.sentence for e, _ in found]
        hit = _dated(snap, find(text)[:look], policy.threshold, taken)
        if hit is None:
            return None
        found.append(hit)
    (first, d1), (second, d2) = found
    gap = difference(d1, d2, question.unit)
    if gap is None:
        return None
    cites = tuple(
        citation_for(snap, n, e.sentence.article_id, e.sentence.kind, e.sentence.start,
                     e.sentence.end, e.score)
        for n, e in enumerate((first, second), start=1)
    )  # fmt: skip
    text = (
        f"{gap[0].upper()}{gap[1:]} ({human_date(d1)} → {human_date(d2)}): "
        f"{display(first.sentence)} [1] {display(second.sentence)} [2]"
    )
    return Composed(text, cites, False, (), ("interval computed from the cited dates",))


def _dated(
    snap: Snapshot, evidence: Sequence[Evidence], threshold: float, taken: Sequence[Sentence]
) -> tuple[Evidence, str] | None:
    """The best sentence above ``threshold`` that dates its event (and is not ``taken``)."""
    for e in evidence:
        if e.score < threshold:
            return None
        dated = event_date(e.sentence.text, snap.articles[e.sentence.article_id].published)
        if dated is not None and e.sentence not in taken:
            return e, dated[1]
    return None
