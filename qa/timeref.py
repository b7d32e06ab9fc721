"""Reading time in news: article dates for display, and relative dates resolved against them.

An article's ``published`` is ISO 8601 at the precision the text supports ("2019-08-21" or
"2024-07"). Relative references inside it ("on Tuesday", "in April", "last year") mean
something only against that date.

>>> human_date("2019-08-21"), human_date("2024-07"), human_date(None)
('21 Aug 2019', 'Jul 2024', 'date unknown')
>>> resolve_relative("Maduro said in a speech broadcast Tuesday.", "2019-08-21")
[('Tuesday', '2019-08-20')]
>>> resolve_relative("Chávez died in March.", "2013-06")
[('in March', '2013-03')]
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from index.dates import published_sort

MONTHS = (
    "January February March April May June July August September October November December"
).split()
_MONTH_ABBR = [m[:3] for m in MONTHS]
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
CALENDAR_WORDS = frozenset(w.lower() for w in (*MONTHS, *_WEEKDAYS))
"""Month and weekday names, lower case: never a person, a place or a misspelling."""

_WEEKDAY_RE = re.compile(r"\b(?:on |last |this )?(" + "|".join(_WEEKDAYS) + r")\b")
_MONTH_RE = re.compile(
    r"\b(?:in|since|until|by|from|last|early|late|mid-?)\s+(?:early |late |mid-?)?("
    + "|".join(MONTHS)
    + r")\b(?!\s+\d)(?!,?\s+(?:19|20)\d{2})"
)
_LAST_YEAR_RE = re.compile(r"\b(last year|this year|next year|earlier this year)\b", re.I)
_THIS_MONTH_RE = re.compile(r"\b(this month|last month|earlier this month)\b", re.I)


def parse_published(published: str | None) -> tuple[date, str] | None:
    """Return (first day covered, precision) with precision "day", "month" or "year"."""
    if not published:
        return None
    parts = published.split("-")
    try:
        if len(parts) == 3:
            return date(int(parts[0]), int(parts[1]), int(parts[2])), "day"
        if len(parts) == 2:
            return date(int(parts[0]), int(parts[1]), 1), "month"
        if len(parts) == 1:
            return date(int(parts[0]), 1, 1), "year"
    except ValueError:
        return None
    return None


def human_date(published: str | None) -> str:
    parsed = parse_published(published)
    if parsed is None:
        return "date unknown"
    d, precision = parsed
    if precision == "day":
        return f"{d.day} {_MONTH_ABBR[d.month - 1]} {d.year}"
    if precision == "month":
        return f"{_MONTH_ABBR[d.month - 1]} {d.year}"
    return str(d.year)


def period_words(period: tuple[int, int]) -> str:
    """A question's time frame (inclusive sort keys) as a reader says it.

    >>> period_words((20230000, 20239999)), period_words((20220700, 20220799))
    ('2023', 'Jul 2022')
    >>> period_words((20190000, 20249999))
    '2019 to 2024'
    """

    def iso(key: int) -> str:
        month = key // 100 % 100
        return f"{key // 10000}-{month:02d}" if 1 <= month <= 12 else str(key // 10000)

    lo, hi = (human_date(iso(k)) for k in period)
    return lo if lo == hi else f"{lo} to {hi}"


def sort_key(published: str | None) -> int:
    """Sortable integer, 0 when unknown: ``sort_key("2024-07") == 20240700``.

    The same key the index stores as chunk metadata ``published_sort``, so date filters
    in Python and in Chroma agree.
    """
    return published_sort(published)


def parse_bound(value: str | None) -> int | None:
    """A user's ``since``/``until`` ("2019", "2019-08", "2019-08-21") as a sort key."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text) or parse_published(text) is None:
        raise ValueError(f"Date {value!r} is not ISO 8601: use YYYY, YYYY-MM or YYYY-MM-DD.")
    return sort_key(text)


def resolve_relative(sentence: str, published: str | None) -> list[tuple[str, str]]:
    """Relative date phrases in ``sentence`` mapped to ISO dates read against ``published``.

    Weekdays resolve to the latest such day on or before a day-precise date (news reports past
    events); bare months to the latest such month on or before the article's month.
    """
    parsed = parse_published(published)
    if parsed is None:
        return []
    anchor, precision = parsed
    out: list[tuple[str, str]] = []
    if precision == "day":
        for m in _WEEKDAY_RE.finditer(sentence):
            wd = _WEEKDAYS.index(m.group(1))
            back = (anchor.weekday() - wd) % 7
            out.append((m.group(1), (anchor - timedelta(days=back)).isoformat()))
    if precision in ("day", "month"):
        for m in _MONTH_RE.finditer(sentence):
            month = MONTHS.index(m.group(1)) + 1
            year = anchor.year if month <= anchor.month else anchor.year - 1
            out.append((m.group(0).strip(), f"{year}-{month:02d}"))
        for m in _THIS_MONTH_RE.finditer(sentence):
            phrase = m.group(1).lower()
            d = anchor if phrase != "last month" else anchor.replace(day=1) - timedelta(days=1)
            out.append((m.group(1), f"{d.year}-{d.month:02d}"))
    for m in _LAST_YEAR_RE.finditer(sentence):
        phrase = m.group(1).lower()
        shift = {"last year": -1, "next year": 1}.get(phrase, 0)
        out.append((m.group(1), str(anchor.year + shift)))
    return out
