"""The default answerer: extractive, grounded by construction, time-aware, honest when unsure.

Every answer sentence is an exact sentence of an article, followed by ``[n]`` whose citation
quotes that very span; the composer only adds framing ("As of Mar 2026:", timelines, and the
plain refusal when evidence is too weak).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from index.types import Article
from qa.answerable import MIN_DENSE, MOSTLY_MISSING, asked_for, unanswered
from qa.entities import Entity
from qa.evidence import Evidence
from qa.question import QuestionInfo, content_terms, entities, stem, tokens
from qa.retrieve import jaccard
from qa.roles import OFFICE_NAMES, Role, best
from qa.short import Candidate, candidates
from qa.snapshot import Sentence, Snapshot
from qa.timeref import human_date, period_words, resolve_relative, sort_key
from qa.types import Citation, Hit

_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{2,40}(?:,\s*[A-Z][\w .]+)?\s*[—–-]{1,2}\s+")
_WORDS = re.compile(r"\w+")
_NUMBER = re.compile(r"\d[\d.,]*%?")
_TYPED = frozenset({"who", "when", "where", "how_many"})  # answers that are a name, date, number


@dataclass(frozen=True)
class Policy:
    """The answerer's knobs; ``threshold`` comes from settings (calibrated by ``qa eval``)."""

    threshold: float = 0.46
    max_sentences: int = 3
    extra_ratio: float = 0.80  # an extra sentence must score this share of the lead's score
    cover_ratio: float = 0.72  # ... or this share, when it covers question words the others miss
    comment_margin: float = 0.05  # a comment this far above the best body sentence wins
    latest_band: float = 0.80  # "now" questions: newest article wins among sentences this close
    role_min: float = 0.55  # a question about a role: a title this close to the question ...
    role_margin: float = 0.15  # ... and titles this near the closest count as naming the holder
    role_read: int = 24  # ... among this many of the best sentences
    role_newest: int = 2  # ... and every read sentence of the 2 newest articles (present time)
    office_min: float = 0.90  # an older name's office (title less places) this close to the lead's
    conflict_band: float = 0.90  # no time given: another date's answer this close is shown too
    period_floor: float = 0.85  # a past period: its sentences count from this share of threshold
    related: int = 3
    bridge_ratio: float = 0.75  # a sentence naming a described person must score this share


Layout = Literal["plain", "timeline", "conflict"]
Holds = Callable[[Sequence[str]], list[tuple[Role, ...]]]
"""For each sentence, its titled names, closest to the role asked about first: how close
each one's title is, the name and its office (:mod:`qa.roles`)."""


@dataclass(frozen=True)
class Holder:
    """A sentence naming the holder of the role asked about, the name (offsets into the
    sentence's text) and the name's office (:class:`qa.roles.Role`)."""

    evidence: Evidence
    name: Entity
    office: np.ndarray | None = None
    fit: float = 0.0  # its office's cosine to the office the question asks about


@dataclass(frozen=True)
class Composed:
    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    related: tuple[Citation, ...]
    notes: tuple[str, ...] = ()
    layout: Layout = "plain"  # timeline: newest answer, then older; conflict: dates disagree
    holder: Candidate | None = None  # the lead names the role's holder: this name


def citation_for(snap: Snapshot, n: int, article_id: str, kind: str, start: int, end: int,
                 score: float) -> Citation:  # fmt: skip
    a: Article = snap.articles[article_id]
    text = snap.source_text(article_id, kind)
    return Citation(
        n=n,
        article_id=article_id,
        title=a.title,
        published=a.published,
        quote=text[start:end],
        start=start,
        end=end,
        kind="comment" if kind == "comment" else "body",
        score=round(score, 4),
        url=a.url,
        source=a.source,
        date_source=a.date_source,
    )


def related_from_hits(snap: Snapshot, hits: Sequence[Hit], limit: int) -> tuple[Citation, ...]:
    return tuple(
        citation_for(snap, i, h.article_id, h.kind, h.start, h.end, h.fused)
        for i, h in enumerate(hits[:limit], start=1)
    )


def display(sentence: Sentence) -> str:
    """The sentence as shown in an answer: dateline prefix dropped, whitespace tidied."""
    text = _DATELINE.sub("", sentence.text.strip()) if sentence.start == 0 else sentence.text
    return " ".join(text.split())


def _date_notes(snap: Snapshot, ev: Evidence) -> str:
    published = snap.articles[ev.sentence.article_id].published
    resolved = resolve_relative(ev.sentence.text, published)
    if not resolved:
        return ""
    parts = [f"{phrase} = {human_date(iso)}" for phrase, iso in resolved]
    return " (" + "; ".join(dict.fromkeys(parts)) + ")"


def _sort(snap: Snapshot, ev: Evidence) -> int:
    return sort_key(snap.articles[ev.sentence.article_id].published)


def _answer_words(q: QuestionInfo, text: str) -> frozenset[str]:
    """What a sentence says beyond the question: its names and numbers, folded ("Keir
    Starmer" of "British Prime Minister Keir Starmer ..." for "Who leads Britain?")."""
    asked = set(tokens(q.text)) | set(q.terms)
    found = {w for span in entities(text) for w in tokens(span)} | set(_NUMBER.findall(text))
    return frozenset(w for w in found if w not in asked and stem(w) not in asked)


def _bare(text: str) -> set[str]:
    """A text's folded words without a possessive ("Trump's" -> "trump")."""
    return {w.removesuffix("'s") for w in tokens(text)}


def differ(q: QuestionInfo, a: Evidence, b: Evidence) -> bool:
    """Whether two answering sentences give different answers: their names and numbers
    beyond the question overlap by less than half (both must name something)."""
    x, y = _answer_words(q, a.sentence.text), _answer_words(q, b.sentence.text)
    return bool(x and y) and len(x & y) < 0.5 * min(len(x), len(y))


def _pick(
    snap: Snapshot,
    q: QuestionInfo,
    usable: list[Evidence],
    policy: Policy,
    names: Callable[[Sequence[str]], list[bool]] | None = None,
    held: Sequence[Holder] = (),
    others: Sequence[Holder] = (),
) -> tuple[list[Evidence], Layout]:
    """Choose the answer sentences and how they are laid out.

    * present time: among the sentences that answer (the answerer's own check, on each
      alone) within ``latest_band`` of the best, the newest article's leads; older
      articles' different answers follow as a dated timeline, each once (by its newest
      report); ``held`` (sentences naming
      the holder of the role asked about, :func:`holders`), when there are any, choose the
      lead instead, an older sentence naming someone in the lead's office (of ``held``
      or ``others``) stands for its article in the timeline, and one naming the lead's
      holder untitled (by the last word of the name) is no earlier answer;
    * a past period: a sentence from the period leads when one answers (the best of the
      ``held``, when there are any);
    * any time: the best leads; when an answer of another date within ``conflict_band``
      says something else, both are shown as a disagreement.
    """
    best = usable[0]
    holders = [h.evidence for h in held]

    def alone(e: Evidence) -> bool:  # the answerer's own checks, on the sentence alone
        return unanswered(q, [e], [e], idf=snap.idf) is None

    def named(pool: list[Evidence], batch: int = 4) -> list[Evidence]:
        """The best sentence of each article in ``pool`` (best first) that names what is
        asked for, tagged a few at a time: an article's later sentences are not tagged once
        one of its sentences names it."""
        if names is None:
            return _per_article(pool)
        found: dict[str, Evidence] = {}
        for i in range(0, len(pool), batch):
            todo = [e for e in pool[i : i + batch] if e.sentence.article_id not in found]
            if todo:
                for e, ok in zip(todo, names([e.sentence.text for e in todo]), strict=True):
                    if ok:
                        found.setdefault(e.sentence.article_id, e)
        return list(found.values())

    def date(e: Evidence) -> int:
        return _sort(snap, e)

    if q.frame == "past" and q.period is not None:
        if held:  # the period's best sentence naming the holder of the office asked about
            best = max(held, key=lambda h: h.fit).evidence
        else:
            inside = [e for e in usable if e.period >= 1.0 and alone(e)]
            firsts = named(inside[:1] if inside[:1] == [best] else inside)
            best = max(firsts, key=lambda e: e.score) if firsts else best
    elif q.frame == "present":
        close = [e for e in usable if e.score >= policy.latest_band * best.score and alone(e)]
        answering = named(close)
        leads = _per_article(holders) or answering  # the role's holders lead when named
        if leads:
            best = max(leads, key=lambda e: (date(e), e.score))
            lead = next((h for h in held if h.evidence is best), None)
            same = _same_office(lead, [*held, *others], policy.office_min)
            mates = {id(h.evidence): h.name.text for h in same}
            by_date = sorted(
                _per_article([*(h.evidence for h in same), *leads, *answering]),
                key=lambda e: -date(e),
            )

            def other(a: Evidence, e: Evidence) -> bool:  # another name, another answer
                mine, theirs = mates.get(id(e)), mates.get(id(a))
                if lead is not None and mine is None and surname in _bare(e.sentence.text):
                    return False  # naming the lead's holder, untitled: the same answer
                if lead is None or mine is None or theirs is None:
                    return differ(q, a, e)
                return not set(tokens(mine)) & set(tokens(theirs))

            surname = ""  # the lead holder's last name ("trump" of "Donald Trump")
            if lead is not None:
                mates[id(best)] = lead.name.text
                words = tokens(lead.name.text)
                surname = words[-1].removesuffix("'s") if words else ""
            older: list[Evidence] = []  # each earlier answer once, by its newest report
            for e in by_date:
                if date(e) < date(best) and all(other(k, e) for k in [best, *older]):
                    older.append(e)
            if older:
                return [best, *older[: policy.max_sentences - 1]], "timeline"
    elif q.qtype in _TYPED and date(best) and alone(best):
        band = policy.conflict_band * best.score
        rivals = [e for e in _per_article(usable) if e.score >= band and alone(e)
                  and date(e) not in (0, date(best)) and differ(q, best, e)]  # fmt: skip
        checked = named([best, *rivals]) if rivals else []
        if checked[:1] == [best] and len(checked) > 1:
            return sorted(checked[:2], key=lambda e: -date(e)), "conflict"
    chosen = [best]
    shingles = [frozenset(_WORDS.findall(best.sentence.text.lower()))]
    wanted = set(q.terms)
    covered = wanted & set(content_terms(best.sentence.text))
    for e in usable:
        if e is best:
            continue
        if len(chosen) >= policy.max_sentences or e.score < policy.cover_ratio * best.score:
            break
        sh = frozenset(_WORDS.findall(e.sentence.text.lower()))
        if any(jaccard(sh, other) > 0.5 for other in shingles):
            continue
        adds = (wanted & set(content_terms(e.sentence.text))) - covered
        if e.score < policy.extra_ratio * best.score and not adds:
            continue
        chosen.append(e)
        shingles.append(sh)
        covered |= adds
    return chosen, "plain"


def holders(
    snap: Snapshot,
    q: QuestionInfo,
    evidence: Sequence[Evidence],
    holds: Holds,
    policy: Policy,
) -> tuple[list[Holder], list[Holder]]:
    """The sentences naming the holder of the role asked about: of dated articles (an
    undated one has no "newest" to offer), of the question's period when it has one, among
    the best ``role_read`` of ``evidence`` whatever their score (for the present, also every
    read sentence of the ``role_newest`` newest articles: whoever holds a role now may be
    named in passing in a sentence about something else), statements (not questions),
    answering on their own (the titled entity is the name a who-question asks for, so a
    Title Case line, which gets no name cue from capitals, may name the holder too),
    whose entity's title is within ``role_margin`` of the title closest to the question,
    when that one reaches ``role_min`` (``holds``, :mod:`qa.roles`); none otherwise. A
    passing mention ("... met Canadian Prime Minister Mark Carney") scores low as a
    sentence but names the holder as well as any.

    Second, the pool's other titled names (further from the question, or second in their
    sentence to a name closer to it): one of them may hold the lead's office, further from
    the question only by its wording ("Prime Minister Fumio Kishida" beside "Japan's foreign
    minister" for "Who is Japan's prime minister?")."""
    read = list(evidence[: policy.role_read])
    if q.frame == "present" and policy.role_newest:
        newest = sorted({_sort(snap, e) for e in evidence if _sort(snap, e)})[-policy.role_newest :]
        inside = {id(e) for e in read}
        read += [e for e in evidence if id(e) not in inside and _sort(snap, e) in newest]
    # dated (of the period, for a past one), and no question: a question states no holder
    dated = [
        e
        for e in read
        if _sort(snap, e)
        and (q.frame != "past" or e.period >= 1.0)
        and not e.sentence.text.rstrip().endswith("?")
    ]

    def alone(e: Evidence, min_dense: float = MIN_DENSE) -> bool:
        return unanswered(q, [replace(e, cue=1.0)], idf=snap.idf, min_dense=min_dense) is None

    # answering on their own; a title reaching ``role_min``, or whose office comes that close
    # to the office the question names, passes the topic test for its sentence, though it
    # shares no word with the question ("X's CEO Linda Yaccarino" for "the top executive of
    # X", "King Charles III" for "the monarch of the United Kingdom"), so the sentences
    # failing only that test are parsed too
    answering = [e for e in dated if alone(e, min_dense=0.0)]
    pool, found = [], []
    for e, roles in zip(answering, holds([e.sentence.text for e in answering]), strict=True):
        fits = max((r.fit for r in roles), default=0.0)
        if best(roles).sim >= policy.role_min or fits >= policy.role_min or alone(e):
            pool.append(e)
            found.append(roles)
    top = max((best(roles).sim for roles in found), default=0.0)
    if top < policy.role_min:
        return [], []
    near: list[Holder] = []
    far: list[Holder] = []
    for e, roles in zip(pool, found, strict=True):
        for k, r in enumerate(roles):
            if r.entity is not None:
                (near if k == 0 and r.sim >= top - policy.role_margin else far).append(
                    Holder(e, r.entity, r.office, r.fit)
                )
    return near, far


def _same_office(lead: Holder | None, others: Sequence[Holder], least: float) -> list[Holder]:
    """The names of ``others`` of the lead's kind (a person for a person) whose office is
    within cosine ``least`` of the lead's, closest first."""
    if lead is None or lead.office is None:
        return []
    office = lead.office
    close = [(float(h.office @ office), k, h) for k, h in enumerate(others)
             if h.office is not None and h.name.label == lead.name.label]  # fmt: skip
    return [h for sim, _, h in sorted(close, key=lambda c: (-c[0], c[1])) if sim >= least]


def _per_article(evidence: Iterable[Evidence]) -> list[Evidence]:
    """The best sentence of each article (``evidence`` best first), in that order."""
    out: dict[str, Evidence] = {}
    for e in evidence:
        out.setdefault(e.sentence.article_id, e)
    return list(out.values())


def compose(
    snap: Snapshot,
    q: QuestionInfo,
    evidence: Sequence[Evidence],
    hits: Sequence[Hit],
    policy: Policy,
    comment_evidence: Sequence[Evidence] = (),
    absent: Sequence[str] = (),
    decided: bool | None = None,
    names: Callable[[Sequence[str]], list[bool]] | None = None,
    holds: Holds | None = None,
    earlier: Sequence[Evidence] = (),
) -> Composed:
    """Turn scored evidence into an answer, a timeline, or a plain refusal.

    ``names`` says of each sentence whether it names a thing of the kind asked for (a
    person for "who is the pope?"): where the time frame picks among answers, only such
    sentences count as answering.

    ``absent`` are entities the question names that no article mentions at all: the
    articles cannot answer a question about them. ``decided`` is the calibrated decision
    (:mod:`qa.ranking`) when there is one: False refuses, naming what was asked; True
    answers from the best sentence even when no sentence reaches ``policy.threshold``
    (which then only admits the extra sentences); with a decision the hand-written
    answerability checks are not applied.

    ``earlier``: the question searched again among the articles older than a present-time
    lead naming the role's holder (by ``Assistant``): their titled names join the
    timeline's candidates, since the search that found the lead favours its wording and
    the newest articles and may reach no earlier holder.

    A role asked about in a past period ("Who was the US president in 2023?") is answered
    from that period's reports only: one naming someone under the asked office's own title
    answers whatever its sentence scores (a calibrated refusal included), and a lead dated
    in another year is a refusal that names the period.
    """
    usable = [e for e in evidence if e.score >= policy.threshold]
    floor = policy.period_floor * policy.threshold
    held, others = (
        ([], []) if holds is None or q.frame == "any" else holders(snap, q, evidence, holds, policy)
    )
    if earlier and holds is not None and q.frame == "present":
        near, far = holders(snap, q, earlier, holds, policy)
        others = [*others, *near, *far]
    # "in July 2022": the period's own reports may lead, when something is on topic: a
    # sentence above the threshold, or one of the period naming the role's holder
    if q.frame == "past" and (usable or any(h.evidence.score >= floor for h in held)):
        usable += [e for e in evidence if floor <= e.score < policy.threshold and e.period >= 1.0]
    # "Who was the US president in 2023?": a report of the period naming someone under the
    # asked office's own title answers it, however little else of it the question shares
    titled = [h for h in held if q.period is not None and h.fit >= OFFICE_NAMES]
    usable += [h.evidence for h in titled if h.evidence not in usable]
    if decided and not usable and evidence:
        usable = [evidence[0]]
    comment = next((e for e in comment_evidence if e.score >= policy.threshold), None)
    if comment and usable and comment.score < usable[0].score + policy.comment_margin:
        comment = None
    if absent or not usable or comment:
        return _abstain(snap, hits, policy, comment, absent)
    if decided is False and not titled:
        return _abstain(snap, hits, policy, None, (), asked_for(q))
    chosen, layout = _pick(snap, q, usable, policy, names, held, others)
    if holds is not None and q.frame == "past" and q.period is not None and chosen[0].period < 0:
        # "Who was the British prime minister in 2023?": a report dated in another year
        # (Starmer's of 2025) names no holder of the period asked about (a question about
        # an event may still be answered there: "closed in 2019" corrects "in 2015")
        return _abstain(snap, hits, policy, None, (), f"{asked_for(q)} in {period_words(q.period)}")
    holder = next((h for h in held if h.evidence is chosen[0]), None)
    # a holder's title vouches that it names who is asked about, beside any description
    # (and a timeline under it is history: its earlier holders need not name theirs as well)
    against = (chosen[:1] if layout == "timeline" else chosen) if holder is not None else usable
    min_dense = 0.0 if holder is not None else MIN_DENSE  # its title vouches for the topic
    missing = (
        None
        if decided
        else unanswered(q, chosen, against, min_dense, idf=snap.idf, mostly_missing=MOSTLY_MISSING)
    )
    if missing:
        # on topic, but the chosen sentences lack what an answer must hold (a name for
        # "who", the thing for "what sentence", ...): quoting them would not answer
        return _abstain(snap, hits, policy, None, (), missing)
    citations: list[Citation] = []
    lines: list[str] = []
    for n, ev in enumerate(chosen, start=1):
        s = ev.sentence
        citations.append(citation_for(snap, n, s.article_id, s.kind, s.start, s.end, ev.score))
        body = display(s) + _date_notes(snap, ev)
        if s.kind == "comment":
            body = f"A reader comment (opinion, not reported fact) says: “{body}”"
        published = snap.articles[s.article_id].published
        when = human_date(published)
        if layout == "conflict" or (layout == "timeline" and n > 1):
            lines.append(f"- {when}: {body} [{n}]")
        elif published is None and (q.frame == "present" or q.period is not None):
            lines.append(f"From an article of unknown date: {body} [{n}]")
        elif layout == "timeline" or q.frame == "present" or q.period is not None:
            lines.append(f"As of {when}: {body} [{n}]")
        else:
            lines.append(f"{body} [{n}]")
    if layout == "timeline":
        text = lines[0] + "\nEarlier reports:\n" + "\n".join(lines[1:])
    elif layout == "conflict":
        text = "Articles of different dates disagree:\n" + "\n".join(lines)
    else:
        text = " ".join(lines)
    named = None
    if holder is not None:  # the holder's name, as a short answer would offer it
        lead = holder.evidence.sentence
        found = candidates(q.text, [(1, lead.start, lead.text, [holder.name])])
        named = found[0] if found else None
    return Composed(
        text=text,
        citations=tuple(citations),
        abstained=False,
        related=(),
        layout=layout,
        holder=named,
    )


def _abstain(
    snap: Snapshot,
    hits: Sequence[Hit],
    policy: Policy,
    comment: Evidence | None,
    missing: Sequence[str],
    asked: str | None = None,
) -> Composed:
    related = related_from_hits(snap, hits, policy.related)
    if comment is not None and not missing:
        s = comment.sentence
        art = snap.articles[s.article_id]
        author = next((c.author for c in art.comments if c.start <= s.start < c.end), "a reader")
        quote = citation_for(snap, 1, s.article_id, "comment", s.start, s.end, comment.score)
        text = (
            "The articles don't report this as fact. Only a reader comment claims it "
            f"({author}, commenting on “{art.title}”, {human_date(art.published)}): "
            f"“{display(s)}” Reader comments are opinions, not reporting."
        )
        return Composed(text, (), True, (quote, *related), ("comment-only",))
    if missing:
        names = ", ".join(missing)
        text = f"The articles don't mention {names}, so they can't answer this."
    elif asked:
        text = f"The articles touch on this, but none of the passages I found says {asked}."
    else:
        text = "The articles don't say. I found no passage that answers this question."
    if related:
        text += " The closest passages are listed as related reading."
    return Composed(text, (), True, related)


__all__ = [
    "Composed", "Policy", "citation_for", "compose", "display", "holders",
    "related_from_hits",
]  # fmt: skip
