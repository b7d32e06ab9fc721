"""Bridging: a question that names a person by description ("his successor") is answered
about the person an article names for it ("his handpicked successor, Nicolás Maduro").

Multi-article questions often describe someone through one article ("the man Chávez picked
as his successor") and ask about them through another (what happened to him in 2026). No
sentence matches both halves, so the description is resolved first: among the question's
best evidence, a sentence that puts a name right after the described role ("successor,
Nicolás Maduro") says who is meant. The question is then asked again with the name in place
of the description, and the answer quotes the bridging sentence too.

A thing can be described by a relative clause instead ("Has the embassy that McNamara went
to assess in January reopened since?"). The clause is what one sentence covers (McNamara,
assess, January); the rest of the question is what is asked about the thing ("reopened
since"). The question is asked again without the clause, and the sentence that matched the
clause is quoted as the bridge, so the reader can check that the same thing is meant.

>>> [(d.role, d.text) for d in descriptions("What happened to his successor in 2026?")]
[('successor', 'his successor')]
>>> d = descriptions("What happened to the man Chávez picked as his successor, in 2026?")
>>> [(x.role, x.text) for x in d]
[('successor', 'the man Chávez picked as his successor')]
>>> name_for("successor", "In April, his handpicked successor, Nicolás Maduro, won.")
'Nicolás Maduro'
>>> name_for("successor", "His successor was elected in April.") is None
True
>>> clause_end("Has the mill that Ruiz sold in May 2015 closed since?", {"ruiz", "sold", "may"})
'Has the mill closed since?'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from qa.compose import Composed, citation_for, display
from qa.evidence import NAME, Evidence
from qa.question import STOPWORDS, content_terms, fold, stem
from qa.snapshot import Snapshot
from qa.timeref import human_date

# a possessive, at most one modifier, the role: "his successor", "her late husband"
_POSSESSIVE = re.compile(r"\b(?:his|her|their|its)\s+(?:([a-z]+)\s+)?([a-z]{3,})\b", re.IGNORECASE)
# "the man Chávez picked as <possessive role>": the whole description goes
_LEAD = re.compile(r"\b(?:the|a|an)\s+(?:[\w’'-]+\s+){1,5}as\s+$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_GAP = re.compile(r"\s*,?\s*")
# "the <thing> that/which <clause> <what is asked>"
_RELATIVE = re.compile(r"\bthe\s+(?:[\w’'-]+\s+){0,2}?([a-z]{3,})\s+(?:that|which)\s+", re.I)
_TOKEN = re.compile(r"[\w’'-]+")
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True)
class Description:
    role: str  # the role word as written ("successor")
    text: str  # the words that describe the person, as written in the question
    start: int
    end: int


@dataclass(frozen=True)
class Bridge:
    description: Description
    name: str  # as the article writes it ("" for a thing described by a clause)
    evidence: Evidence  # the sentence naming the role, or covering the clause
    question: str  # the question asked again: the name in place of the role, or no clause


def descriptions(question: str) -> list[Description]:
    """The question's "his/her/their/its <role>" readings, with a leading "the man X picked
    as" when there is one: for "his handpicked successor" both "handpicked" and "successor"
    are tried as the role (no part-of-speech tagger here). Empty when nobody is described."""
    out: list[Description] = []
    for m in _POSSESSIVE.finditer(question):
        start = m.start()
        lead = _LEAD.search(question[:start])
        if lead is not None and "," not in lead.group(0):
            start = lead.start()
        for group in (1, 2):
            role = m.group(group)
            if role and _noun_like(role):
                end = m.end(group)
                out.append(Description(role, question[start:end], start, end))
    return out


def _noun_like(word: str) -> bool:
    """A word that may name a role: not a stopword, not a participle ("captured", "ruling")."""
    w = word.lower()
    return len(w) > 2 and w not in STOPWORDS and not w.endswith(("ed", "ing"))


def name_for(role: str, sentence: str) -> str | None:
    """The name a sentence gives right after the role word ("successor, Nicolás Maduro")."""
    target = stem(fold(role))
    for m in _WORD.finditer(sentence):
        if stem(fold(m.group(0))) != target:
            continue
        gap = _GAP.match(sentence, m.end())  # "successor, Nicolás Maduro"
        name = NAME.match(sentence, gap.end() if gap else m.end())
        if name is not None:
            return name.group(0)
    return None


def find_bridge(
    question: str, evidence: Sequence[Evidence], threshold: float, look: int = 5
) -> Bridge | None:
    """The bridge for the question's description from its ``look`` best sentences scoring at
    least ``threshold``, or None (no description, or no sentence names that role)."""
    asked = fold(question)
    candidates = [e for e in evidence[:look] if e.score >= threshold]
    for desc in descriptions(question):
        for e in candidates:
            name = name_for(desc.role, e.sentence.text)
            if name is None or fold(name) in asked:
                continue
            rewritten = question[: desc.start] + name + question[desc.end :]
            return Bridge(desc, name, e, rewritten)
    return None


def clause_end(question: str, covered: set[str]) -> str | None:
    """The question without its "that/which" clause, the clause being the words up to the
    last one in ``covered`` (stems) and a year right after it; None when no clause, fewer
    than two covered words, or nothing left to ask."""
    m = _RELATIVE.search(question)
    if m is None:
        return None
    tokens = list(_TOKEN.finditer(question, m.end()))
    hits = [i for i, t in enumerate(tokens) if stem(fold(t.group(0))) in covered]
    if len(hits) < 2:
        return None
    last = hits[-1]
    while last + 1 < len(tokens) and _YEAR.fullmatch(tokens[last + 1].group(0)):
        last += 1
    rest = question[tokens[last].end() :]
    if not any(t.lower() not in STOPWORDS for t in _TOKEN.findall(rest)):
        return None
    return question[: m.end(1)] + rest


def find_clause_bridge(
    question: str, evidence: Sequence[Evidence], threshold: float, look: int = 3
) -> Bridge | None:
    """The bridge for a thing described by a relative clause: the best of the ``look`` top
    sentences covering the clause, and the question asked again without it."""
    m = _RELATIVE.search(question)
    if m is None:
        return None
    for e in evidence[:look]:
        if e.score < threshold:
            break
        rewritten = clause_end(question, set(content_terms(e.sentence.text)))
        if rewritten is None:
            continue
        start, end = m.start(), len(question) - (len(rewritten) - m.end(1))
        return Bridge(Description(m.group(1), question[start:end], start, end), "", e, rewritten)
    return None


def with_bridge(snap: Snapshot, composed: Composed, bridges: Sequence[Bridge]) -> Composed:
    """The answer with each bridging sentence quoted after it (the next citation numbers),
    so the reader sees who the description meant; sentences already quoted are not repeated."""
    citations = list(composed.citations)
    text = composed.text
    notes = list(composed.notes)
    for bridge in bridges:
        s = bridge.evidence.sentence
        meant = f"read as {bridge.name}" if bridge.name else "identified by its quoted sentence"
        notes.append(f"“{bridge.description.text}” {meant}")
        if any((c.article_id, c.kind, c.start) == (s.article_id, s.kind, s.start)
               for c in citations):  # fmt: skip
            continue
        n = len(citations) + 1
        citations.append(
            citation_for(snap, n, s.article_id, s.kind, s.start, s.end, bridge.evidence.score)
        )
        if "\n- " in text:  # a timeline or a disagreement: one more dated line
            when = human_date(snap.articles[s.article_id].published)
            text += f"\n- {when}: {display(s)} [{n}]"
        else:
            text += f" {display(s)} [{n}]"
    return replace(composed, text=text, citations=tuple(citations), notes=tuple(notes))


__all__ = [
    "Bridge",
    "Description",
    "clause_end",
    "descriptions",
    "find_bridge",
    "find_clause_bridge",
    "name_for",
    "with_bridge",
]
