"""Capitals for a question typed without them, taken from how the articles write its words.

Much of the answerer reads names by their capitals (the question's entities, spaCy's NER and
parse, whether a sentence names someone new): "who is delcy rodriguez?" finds no name to
describe and "who runs venezuela now?" no place. A question with no capital after its first
letter is written again with each word in the form the passages that best match it use for
that word inside a sentence ("delcy" -> "Delcy", "us" -> "US"), where that form is not lower
case and makes at least :data:`SHARE` of the word's uses there; its first letter is made a
capital, as a sentence's is. Words written both ways ("may", "will", "turkey") keep the
user's form.

    >>> passages = ["Venezuela's interim President Delcy Rodriguez spoke. In Venezuela, she said",
    ...             "the US and Venezuela agreed, Rodriguez said, and will reopen the US embassy."]
    >>> truecase("who is delcy rodriguez in venezuela now?", passages)
    'Who is Delcy Rodriguez in Venezuela now?'
    >>> truecase("is the us embassy open?", passages)
    'Is the US embassy open?'
    >>> uncased("Who is Delcy Rodriguez?"), uncased("who is delcy rodriguez?")
    (False, True)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["SHARE", "truecase", "uncased"]

SHARE = 0.9
"""The share of a word's uses inside sentences one cased form must have to be taken."""

_WORD = re.compile(r"[^\W\d_][\w'’]*")
_SENTENCE_END = frozenset(".!?\"“”'‘’:")


def uncased(text: str) -> bool:
    """Whether a question was typed without capitals (none after its first letter)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 1 and not any(c.isupper() for c in letters[1:])


def _inner_forms(passages: Sequence[str], wanted: set[str]) -> dict[str, Counter[str]]:
    """How each wanted (lower-case) word is written in the passages, sentence starts left
    out (a capital there says nothing)."""
    forms: dict[str, Counter[str]] = {}
    for text in passages:
        for m in _WORD.finditer(text):
            key = m.group(0).lower()
            if key not in wanted:
                continue
            before = text[: m.start()].rstrip()
            if not before or before[-1] in _SENTENCE_END:
                continue
            forms.setdefault(key, Counter())[m.group(0)] += 1
    return forms


def truecase(question: str, passages: Sequence[str]) -> str:
    """The question with each word in the cased form the passages write it in (see the
    module's docstring); words the passages lack, or write both ways, are kept."""
    words = {m.group(0) for m in _WORD.finditer(question)}
    forms = _inner_forms(passages, {w.lower() for w in words})
    chosen: dict[str, str] = {}
    for word in words:
        seen = forms.get(word.lower())
        if not seen:
            continue
        form, n = seen.most_common(1)[0]
        if form != form.lower() and n >= SHARE * sum(seen.values()):
            chosen[word] = form
    cased = _WORD.sub(lambda m: chosen.get(m.group(0), m.group(0)), question)
    return cased[:1].upper() + cased[1:]
