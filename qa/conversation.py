"""Follow-up questions resolved against the conversation, without an LLM.

The previous question's entities and time frame are carried into a follow-up that lacks them:

>>> resolve_followup([("Who led Venezuela in 2013?", "...")], "And in 2019?")
'Who led Venezuela in 2019?'
>>> resolve_followup([("What did Maduro say?", "...")], "What did he say after that?")
'What did Maduro say after that?'
>>> resolve_followup([("Who met Jaua?", "...")], "What about Bolton?")
'Who met Jaua? (about Bolton)'
>>> resolve_followup([("Who met Jaua?", "...")], "Where was the Kerry meeting?")
'Where was the Kerry meeting?'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.question import analyze

Turn = tuple[str, str]
"""(user question, assistant answer text)."""

_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.IGNORECASE)
_FRAGMENT = re.compile(r"^\s*(and|what about|how about|and what about|also)\b[\s,]*", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_TIME = re.compile(r"\b(?:in|during|since|before|after|by)\s+(?:19|20)\d{2}\b", re.I)
_PERSONISH = re.compile(r"^[A-ZÁÉÍÓÚÑ][\w’'-]+(?:\s+[A-ZÁÉÍÓÚÑ][\w’'-]+)*$")


def _person(entities: Sequence[str]) -> str | None:
    """The entity a pronoun most likely points at: a multi-word name first, else the first."""
    names = [e for e in entities if _PERSONISH.match(e)]
    multi = [e for e in names if " " in e]
    return (multi or names)[0] if names else None


def resolve_followup(history: Sequence[Turn], question: str) -> str:
    """Rewrite ``question`` so it stands alone, using the most recent user turn."""
    question = question.strip()
    if not history:
        return question
    prev_q = history[-1][0].strip()
    prev = analyze(prev_q)
    cur = analyze(question)
    fragment = _FRAGMENT.match(question)
    if fragment:
        rest = question[fragment.end() :].strip().rstrip("?").strip()
        if _YEAR.search(rest) and _YEAR.search(prev_q):
            if _TIME.search(prev_q) and _TIME.search(rest):
                return _TIME.sub(_TIME.search(rest).group(0), prev_q, count=1)  # type: ignore[union-attr]
            return _YEAR.sub(_YEAR.search(rest).group(0), prev_q, count=1)  # type: ignore[union-attr]
        if _TIME.search(rest) or _YEAR.search(rest):
            return f"{prev_q.rstrip('?').rstrip()} {rest}?"
        return f"{prev_q} (about {rest})" if rest else prev_q
    if _PRONOUN.search(question) and not cur.entities:
        person = _person(prev.entities)
        if person:

            def swap(m: re.Match[str]) -> str:
                word = m.group(0).lower()
                return f"{person}’s" if word in ("his", "their", "hers") else person

            return _PRONOUN.sub(swap, question, count=1)
    if not cur.entities and prev.entities and len(cur.terms) <= 3:
        return f"{question} (about {', '.join(prev.entities)})"
    return question
