"""Who holds the role a question asks about: the title news writes beside a name.

News names an office holder with the office, before the name or in an apposition after it:
"British Prime Minister Keir Starmer", "X's CEO Linda Yaccarino", "Keir Starmer, the
British prime minister, said ...". A present-time question about a role ("Who is the UK
prime minister?") is answered by the newest sentence whose entity of the asked kind carries
a title close to the question, whatever else that sentence is about ("Trump met Canadian
Prime Minister Mark Carney on Tuesday ..."): a whole-sentence score ranks such passing
mentions below older sentences about the office itself.

A title is what spaCy's parser (the tagger and parser shared with the tense reader and the
noun chunker) hangs on the name: its compounds, adjectives and possessives before it
("*former* Prime Minister", "*X's* CEO"), an apposition, or the predicate of "<name> is/has
been ..." ("Giorgia Meloni has been Italy's prime minister"). It is compared with the
question by the embedder's cosine. A title saying its holder has left the office ("*former*
President", "*ex*-President", "*then*-President", "the *late* President") names no holder:
the cosine puts "former President" only a little further from "Who currently holds the
presidency?" than "President", and the newest such mention would lead.

    >>> titles = TitleReader()                                          # doctest: +SKIP
    >>> text = "He met Canadian Prime Minister Mark Carney on Tuesday."
    >>> titles.titles(titles.tag([text])[0], 31, 42)                    # doctest: +SKIP
    ['Canadian Prime Minister']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from qa.entities import Entity, SpacyCache

__all__ = [
    "OFFICE_NAMES",
    "PLACE_LABELS",
    "Modifiers",
    "NameCheck",
    "Role",
    "TitleReader",
    "Words",
    "asked_office",
    "best",
    "name_check",
    "role_scores",
]

Words = tuple[tuple[int, str], ...]
"""A phrase as its words, each with its char offset in the sentence."""

PLACE_LABELS = frozenset({"GPE", "LOC", "NORP"})
"""spaCy's labels of a title's place words ("*British* Prime Minister", "*Japan's* foreign
minister"), which must not take the title further from a question naming a place."""

_BEFORE = frozenset({"compound", "amod", "nmod", "poss"})
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
_SKIP = frozenset({"DET", "PUNCT", "PRON"})
_PAST = frozenset({"former", "ex", "late", "then"})  # a title's words saying the office was left

_WORD_BEFORE = re.compile(r"([^\W\d_][\w.'’-]*)\s+$")

OFFICE_NAMES = 0.8
"""The cosine between a title's office and the office a question asks about at which the
title names that office ("Chancellor" for "the chancellor of Germany" 1.0; "President" for
it 0.59): its name holds the office, whatever label spaCy's NER gives the name."""


@dataclass(frozen=True)
class Modifiers:
    """What the parser hangs on the token ``word`` at char offset ``start``: groups of title
    words (the words before it, an apposition, a predicate), each as (char offset, word)."""

    start: int
    word: str
    groups: tuple[tuple[tuple[int, str], ...], ...]


class TitleReader(SpacyCache[tuple[Modifiers, ...]]):
    """The modifiers of every noun of a sentence (tagger and parser, cached per sentence);
    :meth:`titles` reads the titles of one entity from them."""

    exclude = ("ner", "lemmatizer")

    def _extract(self, doc: Any) -> tuple[Modifiers, ...]:
        out = []
        for tok in doc:
            if tok.pos_ not in ("PROPN", "NOUN"):
                continue
            before = [c for c in tok.children if c.i < tok.i and c.dep_ in _BEFORE]
            parts = [before, [c for c in tok.children if c.dep_ == "appos"]]
            if tok.dep_ == "nsubj" and tok.head.lemma_ == "be":
                parts.append([c for c in tok.head.children if c.dep_ == "attr"])
            groups = []
            for part in parts:
                words = sorted(t.i for c in part for t in c.subtree)
                kept = tuple((doc[i].idx, doc[i].text) for i in words if doc[i].pos_ not in _SKIP)
                if kept:
                    groups.append(kept)
            if groups:
                out.append(Modifiers(tok.idx, tok.text, tuple(groups)))
        return tuple(out)

    @staticmethod
    def titles(mods: Sequence[Modifiers], start: int, end: int) -> list[str]:
        """The titles of the entity at ``[start, end)`` as phrases (:meth:`title_words`)."""
        return list(dict.fromkeys(_joined(t) for t in TitleReader.title_words(mods, start, end)))

    @staticmethod
    def title_words(mods: Sequence[Modifiers], start: int, end: int) -> list[Words]:
        """The titles of the entity at ``[start, end)``, each as its words (char offset,
        word): each group of modifiers of its words, without the words that are part of it;
        or, when the parser made the name hang on its title ("Orbis's *CEO* Dana Holt"),
        that word with its other modifiers. A group on both sides of the name is two titles
        ("Senate Majority Leader Chuck Schumer, D-N.Y.," parsed as one subtree): a title
        stands before the name or after it."""
        out: list[Words] = []
        for m in mods:
            if start <= m.start < end:
                out += [w for group in m.groups for w in _sides(group, start, end) if w]
            elif any(start <= at < end for group in m.groups for at, _ in group):
                words = [(m.start, m.word), *(w for group in m.groups for w in group)]
                out += [w for w in _sides(sorted(words), start, end) if w]
        return out


def _sides(words: Sequence[tuple[int, str]], start: int, end: int) -> tuple[Words, Words]:
    """The words before the name at ``[start, end)`` and those after it."""
    return (tuple(w for w in words if w[0] < start), tuple(w for w in words if w[0] >= end))


def asked_office(doc: Any) -> str | None:
    """The office a parsed who-question asks about: the noun the wh-word is equated with
    ("Who was *Japan's prime minister* when ...?") or that it serves "as" ("Who was in
    Downing Street *as prime minister* ...?"), with its lower-case modifiers only (places and
    names are capitalised: "prime minister", "reigning monarch"); None for other questions
    ("Who currently heads Japan's government?"). Read with the question's tense
    (:class:`qa.timeframe.SpacyTense`)."""
    for wh in doc:
        if wh.tag_ != "WP":
            continue
        verb = wh.head
        if verb.lemma_ == "be":
            nouns = [c for c in verb.children if c.dep_ in ("nsubj", "attr") and c != wh]
        else:
            nouns = []
        nouns += [g for c in verb.children if c.dep_ == "prep" and c.lower_ == "as"
                  for g in c.children if g.dep_ == "pobj"]  # fmt: skip
        for noun in nouns:
            if noun.pos_ in ("NOUN", "PROPN"):
                mods = [c for c in noun.children
                        if c.dep_ in ("compound", "amod") and c.text.islower()]  # fmt: skip
                return " ".join(t.text for t in sorted([*mods, noun], key=lambda t: t.i))
    return None


class NameCheck(NamedTuple):
    """A yes/no question asking whether someone named holds a role: the ``name``, the
    ``role`` as the question words it, and the who-question asking for its holder."""

    name: str
    role: str
    who: str


def name_check(doc: Any) -> NameCheck | None:
    """Whether a parsed question asks if a named person holds a role: "Is Keir Starmer
    still the UK prime minister?" gives ("Keir Starmer", "the UK prime minister", "Who is
    still the UK prime minister?"), "Is Bob Iger the CEO of Disney?" ("Bob Iger", "the CEO
    of Disney", "Who is the CEO of Disney?"): a main clause opening with "be", a proper name
    right after it, and a noun after the name that the clause equates with it (the role;
    spaCy's small parser labels either of them subject or attribute, or hangs the name on
    the role as a compound). None for other questions ("Is Delcy Rodriguez related to Jorge
    Rodriguez?", "Is the embassy open?", "Is Venezuela's request for talks posturing?"). A
    main verb after the name is what the name does (:func:`_does`)."""
    root = doc[0] if len(doc) else None
    if root is None or root.lemma_ not in ("be", "do"):
        return None
    end = 1
    while end < len(doc) and doc[end].pos_ == "PROPN":
        end += 1
    name = doc[1:end]
    if not len(name) or name[-1].dep_ == "poss" or (end < len(doc) and doc[end].dep_ == "case"):
        return None  # no name, or a name's possession ("Venezuela's request")
    stop = name[-1].idx + len(name[-1].text)
    who = f"Who {root.lower_}{doc.text[stop:]}"
    if root.dep_ == "aux":  # "Does Chapek still run Disney?": what the name does
        return _does(root, name, who)
    if root.dep_ != "ROOT":
        return None
    heads = [c for c in root.children if c.dep_ in ("nsubj", "attr")]
    heads += [c for t in name for c in t.children if c.dep_ == "appos"]
    role = next((r for r in heads if r.pos_ in ("NOUN", "PROPN") and r.i >= end), None)
    if role is None:
        return None
    words = [t for t in role.subtree if t.i >= end and t.dep_ not in ("punct", "advmod")]
    return NameCheck(name.text, doc[words[0].i : words[-1].i + 1].text, who)


def _does(aux: Any, name: Any, who: str) -> NameCheck | None:
    """:func:`name_check` for a main verb after the name ("Does Chapek still run Disney?",
    "Does Ines Moreau still serve as harbour master?"): the name its subject, a name for its
    object or "as" a role after it (what the name does); the role is "the one who does run
    Disney". "Is Linda Yaccarino still running X?" is none: the parser reads "X" as a common
    noun."""
    verb = aux.head
    if verb.dep_ != "ROOT" or verb.pos_ != "VERB" or name[-1].head != verb:
        return None
    kids = list(verb.children)
    if not any((c.dep_ == "dobj" and c.pos_ == "PROPN") or c.lower_ == "as" for c in kids):
        return None  # "Does Venezuela have oil?", "Does Maduro still live?": no role
    words = [t for t in verb.subtree if t.i >= verb.i and t.dep_ not in ("punct", "advmod")]
    done = verb.doc[words[0].i : words[-1].i + 1].text
    return NameCheck(name.text, f"the one who {aux.lower_} {done}", who)


class Role(NamedTuple):
    """A titled entity of a text: its best title's cosine to the question (``sim``), the
    entity, and its ``office``: that title without its place words, embedded ("Prime
    Minister" of "Japanese Prime Minister"), to tell the same office held by someone else
    earlier."""

    sim: float
    entity: Entity | None
    office: np.ndarray | None = None
    fit: float = 0.0  # the office's cosine to the office the question asks about (0: none)


def _in_place(at: int, word: str, spans: Sequence[tuple[int, int]]) -> bool:
    """The word at char offset ``at`` is part of a place span, or the possessive after one
    ("Japan" + "'s")."""
    return any(a <= at < b or (at == b and word in _POSSESSIVE) for a, b in spans)


def _joined(words: Sequence[tuple[int, str]]) -> str:
    """Words (char offset, word) as one phrase: a space between words apart in the text,
    none between adjacent ones ("Orbis" + "'s")."""
    out = ""
    end = None
    for at, w in words:
        out += w if at == end else (" " + w if out else w)
        end = at + len(w)
    return out


def role_scores(
    qvec: np.ndarray,
    texts: Sequence[str],
    entities: Sequence[Sequence[Entity]],
    wanted: Callable[[Entity], bool],
    embed: Callable[[Sequence[str]], np.ndarray],
    reader: TitleReader,
    places: bool = False,
    asked: np.ndarray | None = None,
    mislabelled: Callable[[Entity], str | None] | None = None,
) -> list[tuple[Role, ...]]:
    """For each text, its ``wanted`` entities that carry a title, closest to the question
    first: each with its best cosine between the question's vector ``qvec`` and one of its
    titles, and that title's office (:func:`best` takes the first, or ``Role(0, None)``
    when none has a title); the parser reads only the texts with such an entity, and one
    ``embed`` call embeds the titles.

    With ``places`` (the question names a place), a title naming a place (an entity of
    :data:`PLACE_LABELS` of its sentence) counts only when that place brings it closer to
    the question than the title without it: "British Prime Minister" is no answer to "Who
    is Canada's prime minister?", however close "Prime Minister" is.

    ``asked``: the office the question asks about (:func:`asked_office`), embedded; each
    role's ``fit`` is its office's cosine to it. ``mislabelled``: the asked label an entity
    of another label may stand for all the same (spaCy's small NER reads "Chancellor Olaf
    Scholz" as an ORG), or None; one counts, with that label, only where its office is the
    asked one (``fit`` at least :data:`OFFICE_NAMES`): the title names the office, so the
    titled name holds it. Only a name right after a capitalised word is read so (a title
    before it, as news writes one; parsing every sentence naming a place or a firm would
    double a role question's time)."""

    def relabel(i: int, e: Entity) -> str | None:
        if asked is None or mislabelled is None or wanted(e):
            return None
        before = _WORD_BEFORE.search(texts[i], 0, e.start)  # "Chancellor" of "... Olaf Scholz"
        return mislabelled(e) if before and before.group(1)[0].isupper() else None

    def read(i: int, e: Entity) -> bool:
        return wanted(e) or relabel(i, e) is not None

    todo = [i for i, found in enumerate(entities) if any(read(i, e) for e in found)]
    parsed = dict(zip(todo, reader.tag([texts[i] for i in todo]), strict=True))
    titles: list[tuple[int, Entity, str, str]] = []
    for i, mods in parsed.items():
        spans = [(p.start, p.end) for p in entities[i] if p.label in PLACE_LABELS]
        for e in entities[i]:
            if not read(i, e):
                continue
            for words in reader.title_words(mods, e.start, e.end):
                if any(w.lower() in _PAST for _, w in words):
                    continue
                bare = [(at, w) for at, w in words if not _in_place(at, w, spans)]
                titles.append((i, e, _joined(words), _joined(bare or words)))
    if not titles:
        return [()] * len(texts)
    phrases = [t for _, _, title, plain in titles for t in (title, plain)]
    index = {t: k for k, t in enumerate(dict.fromkeys(phrases))}
    vecs = embed(list(index))
    sims = vecs @ np.asarray(qvec, dtype=np.float32)
    found: list[dict[Entity, Role]] = [{} for _ in texts]
    for i, e, title, plain in titles:
        sim = float(sims[index[title]])
        if places and plain != title and sim < float(sims[index[plain]]):
            continue  # its place takes it away from the question: another country's office
        if e not in found[i] or sim > found[i][e].sim:
            office = np.asarray(vecs[index[plain]], dtype=np.float32)
            fit = float(office @ asked) if asked is not None else 0.0
            label, name = relabel(i, e), e
            if label is not None:
                if fit < OFFICE_NAMES:
                    continue  # another label, under a title that is not the asked office
                name = Entity(e.text, label, e.start, e.end)
            found[i][e] = Role(sim, name, office, fit)
    return [tuple(sorted(roles.values(), key=lambda r: -r.sim)) for roles in found]


def best(roles: Sequence[Role]) -> Role:
    """The first of a text's roles (:func:`role_scores`), or ``Role(0, None)``."""
    return roles[0] if roles else Role(0.0, None)
