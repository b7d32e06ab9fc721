"""Dates from metadata: date strings read by ``dateparser``, URL dates, the order of trust.

An article can carry its date in several places; the most trusted one that gives a full
or partial date wins (``choose``):

1. ``catalog`` — the curated ``catalog.toml`` entry (applied in ``index.ingest``);
2. ``metadata`` — an export row's date field; ``front_matter`` — Markdown front matter;
3. ``html_meta`` — a web page's meta tags or JSON-LD (``index.formats.html``);
4. ``dateline`` — a dateline in the text (``index.dates``);
5. ``url`` — a date in the article's URL (``/2024/07/03/``);
6. otherwise ``unknown``.

    >>> choose([DateClaim(None, "metadata", None), DateClaim("2024-07-03", "url", "/2024/07/03/")])
    DateClaim(published='2024-07-03', source='url', evidence='/2024/07/03/')
    >>> choose([DateClaim(None, "dateline", "Washington, Jan 10")])
    DateClaim(published=None, source='unknown', evidence='Washington, Jan 10')

``date_value`` reads one date string (or a YAML date) at the precision it gives; relative
dates and dates without a year are refused, never completed from today's date:

    >>> date_value("July 3, 2026 10:15 a.m. ET"), date_value("2026/07/03")
    ('2026-07-03', '2026-07-03')
    >>> date_value("2026-07-03T23:30:00-05:00"), date_value("July 2024"), date_value(2024)
    ('2026-07-03', '2024-07', '2024')
    >>> date_value("Q3 2024")  # no day is written: only the year is kept
    '2024'
    >>> date_value("Jan 10")
    Traceback (most recent call last):
    ...
    ValueError: 'Jan 10' has no four-digit year (a year is never guessed)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from index.formats.fields import FieldNames
from index.types import DateSource

__all__ = ["TRUST_ORDER", "DateClaim", "choose", "date_value", "metadata_date", "url_date"]

TRUST_ORDER: tuple[DateSource, ...] = (
    "catalog",
    "metadata",
    "front_matter",
    "html_meta",
    "dateline",
    "url",
)
"""Most trusted first; "metadata" and "front_matter" are one tier (a file has only one)."""

_MIN_DATE, _MAX_DATE = "1800-01-01", "2199-12-31"
"""Bounds for dates found in pages and URLs: fixed, so that a page's date never depends on
the day it is indexed (htmldate's default refuses dates after today)."""


class DateClaim(NamedTuple):
    """A date one rule found: ISO at its precision (or None), the rule, what it read."""

    published: str | None
    source: DateSource
    evidence: str | None


def choose(claims: Iterable[DateClaim]) -> DateClaim:
    """The claim with a date from the most trusted rule (see the module doc).

    Without any date, a claim's evidence (a year-less dateline) is kept for the reader.
    """
    rank = {source: i for i, source in enumerate(TRUST_ORDER)}
    claims = list(claims)
    dated = [c for c in claims if c.published]
    if dated:
        return min(dated, key=lambda c: rank.get(c.source, len(rank)))
    evidence = next((c.evidence for c in claims if c.evidence), None)
    return DateClaim(None, "unknown", evidence)


@lru_cache(maxsize=1)
def _parser() -> Any:
    from dateparser.date import DateDataParser

    return DateDataParser(
        settings={
            # absolute dates only: "yesterday", "3 days ago", "Tuesday" are refused
            "PARSERS": ["custom-formats", "absolute-time"],
            "RETURN_AS_TIMEZONE_AWARE": False,  # the date as written, never moved to UTC
        }
    )


def _iso_at(day: dt.date, period: str) -> str:
    """``day`` at the precision dateparser says the text gave ("quarter", "week": the year)."""
    if period in ("day", "time", "hour", "minute", "second"):
        return day.isoformat()
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"


def date_value(value: object) -> str:
    """ISO date ("2026-07-03", "2024-07" or "2024") of a metadata value; ``ValueError`` if none.

    Accepts ``datetime.date``/``datetime`` values (YAML front matter gives those), a year as
    an integer, and date strings in any form ``dateparser`` reads, with or without a time
    and time zone (the calendar date as written is kept).
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return f"{value:04d}"
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    text = " ".join(value.split())
    if not text:
        raise ValueError("the date is empty")
    iso_day = len(text) >= 10 and text[4] == "-" and text[7] == "-"
    if iso_day or (len(text) == 8 and text.isdigit()):  # ISO, the common case: no dateparser
        try:
            return dt.datetime.fromisoformat(text).date().isoformat()
        except ValueError:
            pass
    found = _parser().get_date_data(text)
    if found.date_obj is None:
        raise ValueError(f"{text[:60]!r} is not a date dateparser can read")
    day = found.date_obj.date()
    numbers = {int(n) for n in "".join(c if c.isdigit() else " " for c in text).split()}
    if day.year not in numbers:
        raise ValueError(f"{text[:60]!r} has no four-digit year (a year is never guessed)")
    period = found.period or "day"
    if day.day not in numbers and period != "month":
        period = "year"  # a day the text does not give ("Q3 2024") is never kept
    return _iso_at(day, period)


def metadata_date(
    meta: Mapping[str, object], names: FieldNames, rule: DateSource, where: str
) -> tuple[DateClaim | None, str | None]:
    """The date claim of an export row or front matter block, or a warning why there is none.

    >>> claim, _ = metadata_date({"publish_date": "2024-07-03"}, FieldNames(), "metadata", "a:3")
    >>> claim
    DateClaim(published='2024-07-03', source='metadata', evidence='publish_date: 2024-07-03')
    >>> print(metadata_date({"date": "soon"}, FieldNames(), "metadata", "a.jsonl:4")[1])
    ... # doctest: +NORMALIZE_WHITESPACE
    a.jsonl:4: the date is not used: 'soon' is not a date dateparser can read; the date
    comes from the text if it has one (write it as YYYY-MM-DD).
    """
    picked = names.pick(meta, names.published)
    if picked is None:
        return None, None
    key, value = picked
    try:
        published = date_value(value)
    except ValueError as e:
        return None, (
            f"{where}: the date is not used: {e}; the date comes from the text if it has one "
            "(write it as YYYY-MM-DD)."
        )
    shown = value.isoformat() if isinstance(value, dt.date) else " ".join(str(value).split())
    return DateClaim(published, rule, f"{key}: {shown}"), None


def url_date(url: str | None) -> str | None:
    """The full date in a URL's path ("/2024/07/03/", "-2024-07-03.html"), or None.

    >>> url_date("https://news.example/world/2024/07/03/oil-deal")
    '2024-07-03'
    >>> url_date("https://news.example/world/oil-deal") is None
    True
    """
    if not url:
        return None
    from htmldate import find_date

    found: str | None = find_date(
        "<html><body></body></html>",
        url=url,
        extensive_search=False,
        min_date=_MIN_DATE,
        max_date=_MAX_DATE,
    )
    return found


def page_date_bounds() -> tuple[str, str]:
    """The fixed (min, max) dates accepted from pages and URLs."""
    return _MIN_DATE, _MAX_DATE
