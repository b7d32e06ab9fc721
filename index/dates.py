"""The published date of an article, read from its datelines: never made up.

``extract_date(lines, title)`` looks at metadata lines (the lines above the headline,
standalone date lines, a "Place, date" dateline opening the body) and returns the most
specific date it finds:

    >>> found = extract_date(["Thursday, February 29, 2024", "LATIN AMERICA | 21-08-2019 12:56"])
    >>> found.published, found.source, found.evidence
    ('2019-08-21', 'dateline', 'LATIN AMERICA | 21-08-2019 12:56')
    >>> extract_date(["Washington, Jan 10"])
    DateFound(published=None, source='unknown', evidence='Washington, Jan 10')
    >>> extract_date(["Some headline"])
    DateFound(published=None, source='unknown', evidence=None)

Strength of a candidate, highest wins (ties: one with a year, then the earliest line):

3. a date with a time ("21-08-2019 12:56"), a date attached to a section label
   ("LATIN AMERICA | 21-08-2019"), or a labelled one ("Published: 21 August 2019").
2. a dateline with a place ("Washington, Jan 10", "NEW YORK, Aug 21 (Reuters) -") or a
   bare date below the headline.
1. a bare date above the headline or with no headline given ("Thursday, February 29,
   2024"): often the page or print date, so it only counts when nothing better exists;
   also "Updated: ..." dates.

A dateline without a year gives ``published=None`` with the line as evidence: the year
cannot be guessed from the text alone (a curated catalog entry can supply it).

Numeric dates: ISO ``2019-08-21`` is year-month-day. ``21-08-2019`` / ``21.08.2019`` /
``21/08/2019`` are read day-first (the convention of most non-US news sites, and the only
reading when the first number is over 12); when the second number is over 12
(``08/21/2019``) the US month-first reading is the only valid one and is used.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import NamedTuple

from index.types import DateSource

__all__ = ["DateFound", "extract_date", "find_date", "is_date_line"]

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_WEEKDAY = (
    r"(?:(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|sday|rsday|urday)?\.?,?\s+)"
)
_TIME = (
    r"(?:(?:\s*,)?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*(?-i:Z|[+-]\d{2}:?\d{2}|\(?[A-Z]{2,5}(?:[+-]\d{1,2})?\)?)(?![A-Za-z]))?)"
)
_DATE_FORMS = [
    ("iso", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?=$|[^\d])"),
    ("num", r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)"),
    ("mdy", rf"(?P<mon>{_MON})\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})(?!\d)"),
    ("dmy", rf"(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mon>{_MON}),?\s+(?P<y>\d{{4}})(?!\d)"),
    ("md", rf"(?P<mon>{_MON})\s+(?P<d>\d{{1,2}}){_ORD}(?![\d:])"),
    ("dm", rf"(?P<d>\d{{1,2}}){_ORD}\s+(?P<mon>{_MON})(?![a-z])"),
]
_DATE_RES = [(kind, re.compile(rx, re.IGNORECASE)) for kind, rx in _DATE_FORMS]
_ISO_TIME = r"(?:T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
_PLACE = r"[A-Z][A-Za-z.'’ -]{1,40}(?:,\s*[A-Z][A-Za-z.'’ -]{1,30})?"
_WEEKDAY_WORD = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$", re.IGNORECASE)
_STRONG_LABEL = re.compile(
    r"^(?:published|posted|first published|date|dated|pubdate|publication date)"
    r"(?:\s+(?:on|at))?\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
_WEAK_LABEL = re.compile(
    r"^(?:updated|last updated|modified|last modified)(?:\s+(?:on|at))?\s*[:\-–—]?\s*",
    re.IGNORECASE,
)


class DateMatch(NamedTuple):
    """A date found in a piece of text: ISO day (or None without a year) and its span."""

    iso: str | None
    month_day: tuple[int, int]
    start: int
    end: int


class DateFound(NamedTuple):
    """What ``extract_date`` concluded: unpacks as ``(published, source, evidence)``."""

    published: str | None
    source: DateSource
    evidence: str | None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _read(kind: str, m: re.Match[str]) -> DateMatch | None:
    g = m.groupdict()
    if kind == "num":
        a, b = int(g["a"]), int(g["b"])
        day, month = (b, a) if b > 12 and a <= 12 else (a, b)
    else:
        day = int(g["d"])
        month = int(g["m"]) if kind == "iso" else _MONTHS[g["mon"][:3].lower()]
    if "y" not in g or g["y"] is None:
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return DateMatch(None, (month, day), m.start(), m.end())
    iso = _iso(int(g["y"]), month, day)
    return DateMatch(iso, (month, day), m.start(), m.end()) if iso else None


def find_date(text: str, allow_yearless: bool = False) -> DateMatch | None:
    """The first valid date in ``text`` (full dates before year-less ones).

    >>> find_date("LATIN AMERICA | 21-08-2019 12:56").iso
    '2019-08-21'
    >>> find_date("Aug. 21, 2019").iso, find_date("21st August 2019").iso
    ('2019-08-21', '2019-08-21')
    >>> find_date("02/30/2019") is None
    True
    """
    for kind, rx in _DATE_RES:
        if kind in ("md", "dm") and not allow_yearless:
            continue
        for m in rx.finditer(text):
            found = _read(kind, m)
            if found:
                return found
    return None


def _bare(text: str) -> tuple[DateMatch, bool] | None:
    """``text`` is only a date (optional weekday and time, or a labelled update after it):
    the date and whether a time was.

    >>> _bare("March 22, 2025 Updated July 23, 2025, 3:47 p.m. ET")[0].iso
    '2025-03-22'
    """
    text = text.strip().rstrip(".")
    head = re.match(_WEEKDAY, text, re.IGNORECASE)
    rest = text[head.end() :] if head else text
    found = find_date(rest)
    if not found or found.start != 0:
        return None
    tail = rest[found.end :]
    if not tail.strip():
        return found, False
    if re.fullmatch(_TIME + "|" + _ISO_TIME, tail, re.IGNORECASE):
        return found, True
    if _WEAK_LABEL.match(tail.strip(" ,;|-–—")) and _candidate(tail.strip(" ,;|-–—"), False):
        return found, False  # "March 22, 2025 Updated July 23, 2025": the first is the page's
    return None


def _dateline(text: str) -> tuple[DateMatch, int, bool] | None:
    """``text`` opens with "Place, date" (then end, an agency in brackets, or a dash).

    Returns the date, where the dateline ends (after any time and "(Agency)") and whether
    a time was given.
    """
    m = re.match(rf"(?P<place>{_PLACE})\s*,\s*", text)
    if not m:
        return None
    place_words = m.group("place").replace(",", " ").split()
    if any(_WEEKDAY_WORD.match(w) for w in place_words):
        return None
    start = m.end()
    head = re.match(_WEEKDAY, text[start:], re.IGNORECASE)
    start += head.end() if head else 0
    rest = text[start:]
    found = find_date(rest) or find_date(rest, allow_yearless=True)
    if not found or found.start != 0:
        return None
    end = start + found.end
    timed = re.match(_TIME, text[end:], re.IGNORECASE)
    end += timed.end() if timed else 0
    agency = re.match(r"\s*\([^()]{1,40}\)", text[end:])
    end += agency.end() if agency else 0
    if not agency and not re.match(r"\s*(?:$|[-–—:])", text[end:]):
        return None
    shifted = DateMatch(found.iso, found.month_day, start + found.start, start + found.end)
    return shifted, end, bool(timed)


def _candidate(line: str, below_title: bool) -> tuple[int, DateMatch, str] | None:
    """Strength (1-3), date and evidence of one metadata line, or None without a date."""
    text = line.strip()
    for label, strength in ((_STRONG_LABEL, 3), (_WEAK_LABEL, 1)):
        m = label.match(text)
        if m and m.end() > 0 and m.group(0).strip():
            bare = _bare(text[m.end() :])
            if bare:
                return strength, bare[0], text
    if "|" in text:
        for part in text.split("|"):
            bare = _bare(part)
            if bare:
                return 3, bare[0], text
    bare = _bare(text)
    if bare:
        found, has_time = bare
        return (3 if has_time else 2 if below_title else 1), found, text
    line_found = _dateline(text)
    if line_found:
        found, end, has_time = line_found
        return (3 if has_time else 2), found, text[:end].strip()
    return None


def is_date_line(line: str) -> bool:
    """The whole line is date metadata (a date, "Place, date", "Published: date", "X | date").

    >>> is_date_line("Washington, Jan 10"), is_date_line("Thursday, February 29, 2024")
    (True, True)
    >>> is_date_line("Washington, Jan 10 (IANS) The Venezuelan government said ...")
    False
    """
    text = line.strip()
    if len(text) > 80:
        return False
    found = _candidate(text, below_title=True)
    if not found:
        return False
    line_found = _dateline(text)
    if line_found and not _bare(text) and "|" not in text:
        return text[line_found[1] :].strip(" -–—:") == ""
    return True


def extract_date(lines: Sequence[str], title: str | None = None) -> DateFound:
    """The most specific published date in these metadata lines (see the module doc).

    ``title`` marks the headline among ``lines``: bare dates above it are page dates.
    """
    best: tuple[int, bool, int, str, DateMatch] | None = None
    title_at = next((i for i, s in enumerate(lines) if title and s.strip() == title), None)
    for i, line in enumerate(lines):
        found = _candidate(line, below_title=title_at is not None and i > title_at)
        if not found:
            continue
        strength, match, evidence = found
        key = (strength, match.iso is not None, -i, evidence, match)
        if best is None or key[:3] > best[:3]:
            best = key
    if best is None:
        return DateFound(None, "unknown", None)
    match = best[4]
    if match.iso is None:
        return DateFound(None, "unknown", best[3])
    return DateFound(match.iso, "dateline", best[3])


def published_sort(published: str | None) -> int:
    """Sortable integer for an ISO date at any precision; 0 when unknown.

    >>> published_sort("2019-08-21"), published_sort("2024-07"), published_sort("2024")
    (20190821, 20240700, 20240000)
    >>> published_sort(None), published_sort("sometime")
    (0, 0)
    """
    if not published:
        return 0
    parts = published.split("-")
    try:
        numbers = [int(p) for p in parts[:3]]
    except ValueError:
        return 0
    numbers += [0] * (3 - len(numbers))
    year, month, day = numbers
    return year * 10000 + month * 100 + day
