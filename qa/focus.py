"""Which articles a question's time frame reads besides its best hits.

A question naming a period reads that period's articles; a present-time question reads the
newest ones, and a present-time who-question the newest that name what it names; each such
article is read where it names it. ``Assistant._find`` calls these around its search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import islice

from qa.evidence import missing_entities
from qa.question import QuestionInfo, fold
from qa.retrieve import Filters
from qa.snapshot import Snapshot
from qa.types import Hit

FOCUS_READ = 2
"""The time frame's best chunks read besides the hits, when the question has a time focus."""


def names_all(snap: Snapshot, q: QuestionInfo, article_id: str, places: frozenset[str]) -> bool:
    """Whether the article names everything the question names (a place by its adjective
    too: ``places`` are :func:`qa.evidence.place_stems` of the question)."""
    return not missing_entities(q, snap.folded(article_id, "body"), places)


def focus(
    snap: Snapshot,
    q: QuestionInfo,
    filters: Filters,
    places: frozenset[str] = frozenset(),
    newest: int = 2,
) -> Filters | None:
    """Filters for a second, time-focused search, or None when the question has no time focus.

    A question naming a period ("in June 2013") searches the articles dated in it; a "now"
    question searches the ``newest`` dated articles; a present-time who-question naming
    something ("Who is Canada's prime minister?") searches the ``NEWEST_NAMING`` newest
    dated articles that name it (whoever holds a role is whoever the newest reports about
    its place name). Their best chunks join the candidates, so the right article is scored
    even when other articles use the same words more often.
    """
    naming = q.frame == "present" and q.qtype == "who" and bool(q.entities) and q.period is None
    if q.period is None and not q.wants_latest and not naming:
        return None
    allowed = filters.article_ids
    ids: set[str] = set()
    if q.period is not None:
        lo, hi = q.period
        ids |= {aid for aid in snap.dated_between(lo, hi) if not allowed or aid in allowed}
    if q.wants_latest:  # "now", or "since"/"later" after a named period: the newest too
        latest = (aid for aid in snap.newest_first if not allowed or aid in allowed)
        ids |= set(islice(latest, newest))
    if naming:
        about = (a for a in snap.newest_first
                 if (not allowed or a in allowed) and names_all(snap, q, a, places))  # fmt: skip
        ids |= set(islice(about, NEWEST_NAMING))
    return replace(filters, article_ids=frozenset(ids)) if ids else None


NEWEST_NAMING = 3
"""How many of the newest articles naming a present-time who-question's subject the focused
search covers (temporal set, all present-time phrasings right: 0 -> 0.411, 1 -> 0.429,
2 -> 0.446, 3 -> 0.482, 5 -> 0.464, measured before the restriction to who-questions,
which changed no figure at 3; reading the best two chunks of each article instead: 0.446)."""


def naming_chunks(
    q: QuestionInfo, focused: Sequence[Hit], inside: set[str], places: frozenset[str]
) -> list[Hit]:
    """The best chunk of each article of the focused search that names everything the
    question names (a place by its adjective too), unless one such chunk of it is read
    already: an article chosen because it names Canada is read where it names Canada
    ("... met Tuesday with Canadian Prime Minister Mark Carney"), not only where it uses
    the question's other words."""
    if not q.entities:
        return []
    out: dict[str, Hit | None] = {}
    for h in focused:
        if h.article_id not in out and not missing_entities(q, fold(h.text), places):
            out[h.article_id] = None if h.chunk_id in inside else h
    return [h for h in out.values() if h is not None]


NEWEST_FOUND = 3  # the newest (or in-period) articles among the hits ...
NEWEST_AMONG = 30  # ... of this many


def frame_found(
    snap: Snapshot,
    q: QuestionInfo,
    hits: Sequence[Hit],
    inside: set[str],
    places: frozenset[str] = frozenset(),
) -> list[Hit]:
    """The best two unread hits of each of the newest dated articles among the top hits
    (present time), or of the articles dated in the question's period among them (past),
    of those that name everything the question names: the answer leads with such an
    article when one answers, and it need not be the one that uses the question's words
    most."""
    best: dict[str, list[Hit]] = {}
    for h in hits[:NEWEST_AMONG]:
        unread = best.setdefault(h.article_id, [])
        if h.chunk_id not in inside:
            unread.append(h)
    keys = snap.article_sort
    with_date = (a for a in best if keys.get(a))
    about = (a for a in with_date if names_all(snap, q, a, places))
    dated = sorted(about, key=lambda a: -keys[a])  # the articles naming what the question names
    if q.frame == "past" and q.period is not None:
        lo, hi = q.period
        dated = [a for a in dated if lo - 99 <= keys[a] <= hi]
    return [h for a in dated[:NEWEST_FOUND] for h in best[a][:2]]


def merge(first: list[Hit], extra: list[Hit], take: int = 4) -> list[Hit]:
    """``first`` plus up to ``take`` of ``extra`` not already in it, interleaved near the top."""
    seen = {h.chunk_id for h in first}
    added = [h for h in extra if h.chunk_id not in seen][:take]
    return [*first[:4], *added, *first[4:]]
