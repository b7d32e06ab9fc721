"""Evidence scoring: which sentences of the retrieved chunks answer the question.

Each candidate sentence gets four signals, all in [0, 1]:

* ``dense``: cosine of question and sentence under the packaged bi-encoder;
* ``lexical``: IDF-weighted share of the question's content words found in the sentence
  (a word found only in the sentence before it counts half: "He said ..." sentences);
* ``cue``: whether the sentence holds the kind of thing asked for (a person for "who",
  a date for "when", a number for "how many", a place for "where") beyond the question's own words;
* ``context``: how highly hybrid retrieval ranked the chunk it came from.

The weighted sum, plus a bonus when the article falls in the time frame the question names
("in June 2013"), times penalties when the sentence lacks the asked-for kind of thing or its
article lacks an entity the question names, a figure it gives ("4,700 jobs") or a phrase it
quotes, is the evidence score that the answerer thresholds and ranks.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from index.embed import Embedder
from qa.entities import Entity
from qa.question import (
    QuestionInfo,
    content_terms,
    content_words,
    figure_pattern,
    fold,
    stem,
    tokens,
)
from qa.snapshot import Sentence, Snapshot
from qa.timeref import CALENDAR_WORDS, MONTHS, resolve_relative, sort_key
from qa.types import Hit


@dataclass(frozen=True)
class Weights:
    dense: float = 0.45
    lexical: float = 0.35
    cue: float = 0.10
    context: float = 0.10
    period: float = 0.10  # article (or sentence) inside the time frame the question names
    tie: float = 0.10  # who: a new name stands next to the question's words ("Pope Leo XIV")
    no_cue: float = 0.80  # factor when a who/when/where/how-many sentence lacks that kind of thing
    entity_elsewhere: float = 0.85  # factor per name, figure or quote its article lacks


@dataclass(frozen=True)
class Evidence:
    sentence: Sentence
    score: float
    dense: float
    lexical: float
    cue: float
    context: float
    missing_entities: tuple[str, ...] = ()  # the question's names, figures, quotes not in it
    period: float = 0.0  # in_period: the time fit
    prior: float = 0.0  # the first-stage score (hand-set weights), once a ranker rescored it
    ce: float = 0.0  # the trained ranker's logit (0 when not rescored)
    names_top_kind: bool = False  # which/what: names a thing of the most likely answer type


class SentenceVectors:
    """Sentence embeddings, computed on first need and kept in a bounded LRU (thread-safe)."""

    def __init__(self, embedder: Embedder, capacity: int = 200_000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vecs = self.embedder.embed(missing)
            with self._lock:
                for t, v in zip(missing, vecs, strict=True):
                    self._cache[t] = v
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
        with self._lock:
            for t in texts:
                self._cache.move_to_end(t)
            return np.stack([self._cache[t] for t in texts])


_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve dozen dozens hundred "
    "hundreds thousand thousands million millions billion half"
).split()
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_DATE = re.compile(
    r"\b(" + "|".join(MONTHS) + r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|(?:19|20)\d{2}|last year|this year|earlier this year|yesterday|today)\b"
)
_YEARS = re.compile(r"\b(?:19|20)\d{2}\b")
_CAP = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü’'-]+"
NAME = re.compile(rf"\b{_CAP}(?:\s+[A-Z][.]?)?(?:\s+{_CAP})+")
_CALENDAR = CALENDAR_WORDS | {"earlier", "later", "last"}
_PLACE = re.compile(r"\b(?:in|at|from|to|near|outside)\s+(?:the\s+)?([A-ZÁÉÍÓÚÑ][\w’'-]+)")


def _new_spans(pattern: re.Pattern[str], text: str, question_folded: str) -> bool:
    for m in pattern.finditer(text):
        span = m.group(m.lastindex or 0) if pattern is _PLACE else m.group(0)
        f = fold(span)
        if f in question_folded or (pattern is not _DATE and f in CALENDAR_WORDS):
            continue
        if pattern is NAME and (any(w in _CALENDAR for w in f.split()) or f.startswith("the ")):
            continue
        return True
    return False


def answer_cue(q: QuestionInfo, text: str, qf: str | None = None) -> float:
    """1.0 when the sentence holds the asked-for kind of thing not already in the question.

    >>> from qa.question import analyze
    >>> answer_cue(analyze("How many prisoners?"), "There were 278 political prisoners.")
    1.0
    >>> answer_cue(analyze("How many prisoners?"), "Prisoners were freed.")
    0.0
    """
    qf = fold(q.text) if qf is None else qf  # the folded question (callers may pass it)
    if is_headline(text):
        return 0.0 if q.qtype in ("how_many", "when", "who", "where") else 0.5
    if q.qtype == "how_many":
        return 1.0 if _new_spans(_NUMBER, text, qf) else 0.0
    if q.qtype == "when":
        return 1.0 if _new_spans(_DATE, text, qf) else 0.0
    if q.qtype == "who":
        return 1.0 if _new_spans(NAME, text, qf) else 0.0
    if q.qtype == "where":
        return 1.0 if _new_spans(_PLACE, text, qf) else 0.0
    return 0.5


TIE_TYPES = frozenset({"who"})
"""The question types whose answer is a name, where a name next to the question's words ties."""


def tie(
    q: QuestionInfo,
    text: str,
    qf: str,
    idf: dict[str, float],
    window: int = 3,
    places: frozenset[str] = frozenset(),
) -> float:
    """For a who-question: the IDF-weighted share of the question's words that stand
    inside or within ``window`` words of one name the question does not give ("Japanese
    Prime Minister Shigeru Ishiba" for "Who is Japan's prime minister?"), the best name's.
    A name far from the question's words ("... the pope's spokesman Matteo Bruni said")
    ties less than one the words describe.

    >>> from qa.question import analyze
    >>> q = analyze("Who is the pope?")
    >>> qf, idf = "who is the pope?", {"pope": 1.0}
    >>> tie(q, "Pope Leo XIV called for peace.", qf, idf)
    1.0
    >>> tie(q, "The pope is ill, his spokesman Matteo Bruni said.", qf, idf)
    0.0
    """
    if q.qtype not in TIE_TYPES or not idf or is_headline(text):
        return 0.0
    kin = kin_forms(places, text)  # "Japanese" next to the name counts for "Japan's"
    total = sum(idf.values()) or 1.0
    best = 0.0
    stems: tuple[str, ...] | None = None  # the sentence's, stemmed once it names someone new
    for m in NAME.finditer(text):
        f = fold(m.group(0))
        if f in qf or any(w in _CALENDAR for w in f.split()) or f.startswith("the "):
            continue
        stems = stems or _stems(text)
        at, span = len(tokens(text[: m.start()])), len(tokens(m.group(0)))
        near = set(stems[max(0, at - window) : at + span + window])
        near |= {t for t, alts in q.alternatives if alts & near}  # "interim President" leads
        near |= {kin[w] for w in near if w in kin}
        best = max(best, sum(w for t, w in idf.items() if t in near) / total)
    return best


KIN_SUFFIX = 4
"""An adjective of a place extends the place's stem (or the stem less its last letter) by at
most this many letters: "Japanese" for "Japan", "Canadian" for "Canada", "Italian" for "Italy"."""

PLACE_LABELS = frozenset({"GPE", "LOC"})
"""spaCy's labels of the question names whose adjectives count as them."""

_CAPWORD = re.compile(r"\b[A-ZÁÉÍÓÚÑ][\w’'-]+")


def place_stems(entities: Sequence[Entity]) -> frozenset[str]:
    """Stems (4 letters or more) of the places among the question's entities (spaCy's NER):
    "Japan" of "Who is Japan's prime minister?", not "Prince" of "Prince Harry"."""
    return frozenset(
        st
        for e in entities
        if e.label in PLACE_LABELS
        for w in content_words(e.text)
        if len(st := stem(w)) >= 4
    )


def is_kin(form: str, place: str) -> bool:
    """``form`` is the adjective of ``place`` by its letters (stems).

    >>> is_kin("syrian", "syria"), is_kin("australian", "austria")
    (True, False)
    """
    if len(form) <= len(place) or len(form) - len(place) > KIN_SUFFIX:
        return False
    return form.startswith(place) or (len(place) >= 5 and form.startswith(place[:-1]))


@lru_cache(maxsize=100_000)
def kin_forms(names: frozenset[str], text: str) -> dict[str, str]:
    """Stems of capitalised words of ``text`` that are the adjective of a place the question
    names, mapped to the place's stem: news writes "Japanese Prime Minister ..." for "Japan's
    prime minister", "the Canadian government" for "Canada's".

    >>> kin_forms(frozenset({"japan"}), "Japanese Prime Minister Shigeru Ishiba spoke.")
    {'japanes': 'japan'}
    >>> kin_forms(frozenset({"austria"}), "Australian officials said.")
    {}
    """
    if not names:
        return {}
    out: dict[str, str] = {}
    for m in _CAPWORD.finditer(text):
        st = stem(fold(m.group(0)))
        if st in names or st in out:
            continue
        for name in names:
            if is_kin(st, name):  # the sentence's word is the longer form
                out[st] = name
                break
    return out


@lru_cache(maxsize=100_000)
def is_headline(text: str) -> bool:
    """Title Case text (a headline or a label), where capitals say nothing about names."""
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) < 4:
        return False
    return sum(w[0].isupper() for w in words) / len(words) > 0.6


def _names_kin(haystack_folded: str, place: str) -> bool:
    """The folded text holds an adjective of ``place`` (a stem) by :func:`is_kin`, the rule
    :func:`kin_forms` reads sentences with; a substring test first, so most texts are never
    split into words."""
    shortest = place[:-1] if len(place) >= 5 else place
    if shortest not in haystack_folded:
        return False
    words = re.findall(rf"\b{re.escape(shortest)}\w*", haystack_folded)
    return any(is_kin(stem(w), place) for w in words)


def missing_entities(
    q: QuestionInfo, haystack_folded: str, places: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """Question entities none of whose distinctive words occur in the haystack; a word that
    is one of the question's ``places`` (:func:`place_stems`) occurs when its adjective does
    ("Canadian" for "Canada's").

    >>> from qa.question import analyze
    >>> q = analyze("Who is Canada's prime minister?")
    >>> missing_entities(q, "the canadian prime minister said"), missing_entities(
    ...     q, "the canadian prime minister said", frozenset({"canada"}))
    (("Canada's",), ())
    """
    out = []
    for ent in q.entities:
        words = [w for w in re.findall(r"\w+", fold(ent)) if len(w) > 2]
        if words and not any(
            w in haystack_folded or ((st := stem(w)) in places and _names_kin(haystack_folded, st))
            for w in words
        ):
            out.append(ent)
    return tuple(out)


def missing_details(q: QuestionInfo, haystack_folded: str) -> tuple[str, ...]:
    """The question's figures (:func:`qa.question.figures`) and quoted words
    (:func:`qa.question.quoted`) the haystack does not give.

    >>> from qa.question import analyze
    >>> missing_details(analyze('Who will house 30,000 in a "tent city"?'), "30000 in tents")
    ('tent city',)
    """
    figures = tuple(f for f in q.figures if not figure_pattern(f).search(haystack_folded))
    return figures + tuple(w for w in q.quoted if not _gives(fold(w), haystack_folded))


def _gives(phrase_folded: str, haystack_folded: str) -> bool:
    """Whether the haystack holds the phrase, its apostrophes straight or curly.

    >>> _gives("music's biggest night", "it was music’s biggest night")
    True
    """
    forms = {phrase_folded, phrase_folded.replace("’", "'"), phrase_folded.replace("'", "’")}
    return any(f in haystack_folded for f in forms)


def score_evidence(
    snap: Snapshot,
    q: QuestionInfo,
    qvec: np.ndarray | None,
    hits: Sequence[Hit],
    vectors: SentenceVectors | None,
    weights: Weights = Weights(),
    max_chunks: int = 8,
    max_embedded: int = 32,
    places: frozenset[str] = frozenset(),
) -> list[Evidence]:
    """Score every sentence of the top ``max_chunks`` hits; best first, one entry per sentence.
    ``places``: stems of the places the question names (:func:`place_stems`), whose
    adjectives count as them."""
    sentences: list[Sentence] = []
    context: list[float] = []
    seen: set[tuple[str, str, int]] = set()
    for rank, hit in enumerate(hits[:max_chunks]):
        chunk = snap.chunks[snap.by_id[hit.chunk_id]]
        for s in snap.sentences_in(chunk):
            key = (s.article_id, s.kind, s.start)
            if key in seen or not s.text.strip():
                continue
            seen.add(key)
            sentences.append(s)
            context.append(1.0 / (1.0 + rank * 0.5))
    if not sentences:
        return []
    prevs = [_previous(snap, s) for s in sentences]
    own_terms = [frozenset(content_terms(s.text)) for s in sentences]
    if qvec is not None and vectors is not None:
        dense = _dense(snap, q, qvec, sentences, own_terms, prevs, context, vectors, max_embedded)
    else:
        dense = np.zeros(len(sentences))
    qterms = list(q.terms)
    weights_idf = {t: snap.idf(t) for t in qterms}
    total = sum(weights_idf.values()) or 1.0
    surname = surnames(q)
    qf = fold(q.text)
    dates = snap.article_sort  # dated articles only
    loose = frozenset(t for t, _ in q.alternatives)  # count only where titled() finds them
    out: list[Evidence] = []
    absent: dict[tuple[str, str], tuple[str, ...]] = {}  # per article: the same for its sentences
    for i, (s, before) in enumerate(zip(sentences, prevs, strict=True)):
        art = snap.articles[s.article_id]
        own = own_terms[i]
        prev = frozenset(content_terms(before.text)) if before is not None else frozenset()
        have = own
        if loose:  # "who runs X": the verb counts only as a title next to X (see titled)
            have = (own - loose) | titled(q, s.text)
            prev = (prev - loose) | titled(q, before.text) if before is not None else prev
        if places:  # "Japanese" has Japan
            have = have | frozenset(kin_forms(places, s.text).values())
            if before is not None:
                prev = prev | frozenset(kin_forms(places, before.text).values())
        if surname:
            have = _full_names(have, surname, s.text)
            prev = _full_names(prev, surname, before.text) if before is not None else prev
        lex = sum(w if t in have else 0.5 * w * (t in prev) for t, w in weights_idf.items())
        lexical = lex / total if qterms else 0.0
        cue = answer_cue(q, s.text, qf)
        tied = tie(q, s.text, qf, weights_idf, places=places) if weights.tie else 0.0
        where = (s.article_id, s.kind)
        missing = absent.get(where, ())
        if (q.entities or q.figures or q.quoted) and where not in absent:
            text = snap.folded(*where)
            missing = absent[where] = missing_entities(q, text, places) + missing_details(q, text)
        period = in_period(q, art.published, s.text, dates.get(s.article_id, 0))
        score = (
            weights.dense * float(dense[i])
            + weights.lexical * lexical
            + weights.cue * cue
            + weights.context * context[i]
            + weights.period * period
            + weights.tie * tied
        )
        if cue == 0.0:
            score *= weights.no_cue
        score *= weights.entity_elsewhere ** len(missing)
        out.append(
            Evidence(
                sentence=s,
                score=score,
                dense=float(dense[i]),
                lexical=lexical,
                cue=cue,
                context=context[i],
                missing_entities=missing,
                period=period,
            )
        )
    out.sort(key=lambda e: -e.score)
    return out


TYPED_TYPES = frozenset({"what", "other"})
"""Question types the cue regexes say nothing of ("which company ...", "what award ..."):
their cue comes from spaCy's entities and the learned answer type (:func:`typed_cue`)."""

TYPED_READ = 12
"""The best first-stage sentences whose entities the typed cue reads (spaCy, ~2 ms each)."""


def typed_cue(
    evidence: Sequence[Evidence],
    named: Sequence[bool],
    top_kind: Sequence[bool],
    weights: Weights = Weights(),
) -> list[Evidence]:
    """The first ``len(named)`` sentences re-scored with the cue their entities give (1 when
    the sentence names a thing of the kind asked for, else 0 and the no-cue factor), in place
    of the neutral 0.5 a which/what question gets; best first, the unread rest below them.
    The best score stays what it was: the cue re-orders, the threshold keeps its meaning.
    ``top_kind``: whether each names a thing of the most likely kind (kept on the evidence).

    >>> from qa.snapshot import Sentence
    >>> s = lambda t: Sentence("a", "body", 0, len(t), t)
    >>> ev = [Evidence(s("x"), 0.60, 0, 0, 0.5, 0), Evidence(s("y"), 0.58, 0, 0, 0.5, 0)]
    >>> [(e.sentence.text, e.cue) for e in typed_cue(ev, [False, True], [False, True])]
    [('y', 1.0), ('x', 0.0)]
    """
    top: list[Evidence] = []
    for e, has, best in zip(evidence, named, top_kind, strict=False):
        cue = 1.0 if has else 0.0
        elsewhere = weights.entity_elsewhere ** len(e.missing_entities)
        base = e.score / elsewhere + weights.cue * (cue - e.cue)
        if cue == 0.0:
            base *= weights.no_cue
        top.append(replace(e, score=base * elsewhere, cue=cue, names_top_kind=best))
    if not top:
        return list(evidence)
    scale = max(e.score for e in evidence[: len(top)]) / (max(e.score for e in top) or 1.0)
    top = sorted((replace(e, score=e.score * scale) for e in top), key=lambda e: -e.score)
    return top + list(evidence[len(top) :])


def surnames(q: QuestionInfo) -> dict[str, str]:
    """Each earlier word of a multi-word name the question gives, mapped to the name's last
    word (stems): news names a person in full once, then by surname ("Doug Burgum" ...
    "Burgum, who leads ..."), so a sentence with the surname has the whole name.

    >>> from qa.question import analyze
    >>> surnames(analyze("What council does Doug Burgum head?"))
    {'doug': 'burgum'}
    """
    out: dict[str, str] = {}
    for ent in q.entities:
        words = [stem(w) for w in content_words(ent)]
        for w in words[:-1]:
            out.setdefault(w, words[-1])
    return out


def _full_names(terms: frozenset[str], surname: dict[str, str], text: str) -> frozenset[str]:
    """``terms`` (of ``text``) plus the other words of each question name whose surname
    ``text`` gives as that person's (:func:`own_surname`)."""
    extra = {
        word
        for word, last in surname.items()
        if last in terms and own_surname(text, last, frozenset(surname))
    }
    return terms | extra if extra else terms


def own_surname(text: str, last: str, given: frozenset[str]) -> bool:
    """Whether ``text`` names the surname ``last`` (a stem) with no other name before it:
    alone, after a lower-case word, a capitalised stop word ("Whether Assad's ...") or one
    of the question's ``given`` names (stems). "Jorge Rodriguez" is another Rodriguez than
    the question's Delcy Rodriguez; a title before the surname ("President Assad") reads as
    another name too (measured: README, stage 3).

    >>> own_surname("Rodriguez said on Tuesday", "rodriguez", frozenset({"delci"}))
    True
    >>> own_surname("negotiator Jorge Rodriguez said", "rodriguez", frozenset({"delci"}))
    False
    """
    words = _CAPITALISED.findall(text)
    for i, word in enumerate(words):
        if stem(fold(word).removesuffix("'s").removesuffix("’s")) != last:
            continue
        before = words[i - 1] if i else ""
        folded = fold(before)
        if not before[:1].isupper() or folded in _function_words() or stem(folded) in given:
            return True
    return False


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """spaCy's English stop words (imported on first use: spaCy is slow to import)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


_CAPITALISED = re.compile(r"[^\W\d_][\w'’]*")


@lru_cache(maxsize=100_000)
def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in tokens(text))


def titled(q: QuestionInfo, text: str, window: int = 3) -> frozenset[str]:
    """The question terms with alternatives that ``text`` has next to another question word:
    "Venezuela's interim President" answers "who runs Venezuela", while "President Trump's
    council" or "barred from running against him" say nothing about who runs Venezuela.

    >>> from qa.question import analyze
    >>> q = analyze("Who runs Venezuela?")
    >>> sorted(titled(q, "Venezuela's interim President Delcy Rodriguez spoke."))
    ['run']
    >>> sorted(titled(q, "Burgum leads President Trump's council in Venezuela."))
    []
    """
    if not q.alternatives:
        return frozenset()
    stems = _stems(text)
    found: set[str] = set()
    for term, alts in q.alternatives:
        anchors = set(q.terms) - {term}
        for i, st in enumerate(stems):
            if (st in alts or st == term) and anchors.intersection(
                stems[max(0, i - window) : i + window + 1]
            ):
                found.add(term)
                break
    return frozenset(found)


def _dense(
    snap: Snapshot,
    q: QuestionInfo,
    qvec: np.ndarray,
    sentences: Sequence[Sentence],
    own_terms: Sequence[frozenset[str]],
    prevs: Sequence[Sentence | None],
    context: Sequence[float],
    vectors: SentenceVectors,
    limit: int,
) -> np.ndarray:
    """Bi-encoder similarity of each sentence to the question.

    The indexer stores a vector for every sentence (see ``index.sentvec``); sentences
    without one (an index built by an embedder that cannot pool spans) are embedded here,
    which is the costly part of answering on a large corpus, so only the ``limit`` most
    promising by words and rank are considered; the rest get 0. A sentence continuing a
    relevant one ("The filmmaker, Tim Tracy, ...") inherits half of its predecessor's
    similarity when that one was scored too.
    """
    terms = set(q.terms)
    cheap = [len(terms & own) + c for own, c in zip(own_terms, context, strict=True)]
    stored: dict[str, np.ndarray] = {}
    todo: list[str] = []
    chosen: list[int] = []
    for i in sorted(range(len(sentences)), key=lambda i: -cheap[i]):
        s = sentences[i]
        vec = snap.stored_vector(s)
        if vec is not None:
            stored[s.text] = vec
        elif len(todo) < limit:
            todo.append(s.text)
        else:
            continue
        chosen.append(i)
    texts = [*stored, *todo]
    parts = [np.stack(list(stored.values()))] if stored else []
    if todo:
        parts.append(vectors.get(todo))
    matrix = np.vstack(parts)
    sims = dict(zip(texts, np.clip(matrix @ qvec, 0.0, 1.0), strict=True))
    dense = np.zeros(len(sentences))
    for i in chosen:
        own = float(sims[sentences[i].text])
        p = prevs[i]
        dense[i] = (
            max(own, (own + float(sims[p.text])) / 2) if p is not None and p.text in sims else own
        )
    return dense


def in_period(q: QuestionInfo, published: str | None, text: str, key: int | None = None) -> float:
    """1.0 when the article date, or a date the sentence gives relative to it ("in
    January" in a March 2026 article), lies in the question's time frame; 0.5 when only the
    sentence names one of its years; -1.0 when a dated article lies outside it or the
    sentence's opening clause dates it in other years ("In early 2019, ..."); else 0.0.

    >>> from qa.question import analyze
    >>> in_period(analyze("Who led in June 2013?"), "2013-06", "Maduro won.")
    1.0
    >>> in_period(analyze("Who led in 2013?"), "2019-08-21", "In 2013 Maduro won.")
    0.5
    >>> in_period(analyze("What happened in January 2026?"), "2026-03", "He was caught in January.")
    1.0
    >>> in_period(analyze("Who won in July 2024?"), "2024-07", "In early 2019, Trump spoke.")
    -1.0
    """
    if q.period is None:
        return 0.0
    lo, hi = q.period
    key = sort_key(published) if key is None else key  # ``key``: the published date's key
    if q.wants_latest:  # "since <period>" / "later": the period is where the story starts
        hi = 99999999
    years = _opening_years(text)
    if years and not any(lo // 10000 <= y <= hi // 10000 for y in years):
        return -1.0  # the sentence opens by dating its event in another year ("In 2019, ...")
    if _within(key, lo, hi):
        return 1.0
    if key and any(_within(sort_key(iso), lo, hi) for iso in _relative_dates(text, published)):
        return 1.0
    if any(str(y) in text for y in q.years):
        return 0.5
    return -1.0 if key else 0.0


@lru_cache(maxsize=100_000)
def _opening_years(text: str) -> tuple[int, ...]:
    """The years named before a sentence's first comma ("In early 2019, ...")."""
    return tuple(int(y) for y in _YEARS.findall(text.split(",", 1)[0]))


@lru_cache(maxsize=100_000)
def _relative_dates(text: str, published: str | None) -> tuple[str, ...]:
    """The ISO dates of a sentence's relative date phrases, cached (sentences recur)."""
    return tuple(iso for _, iso in resolve_relative(text, published))


def _within(key: int, lo: int, hi: int) -> bool:
    """Whether a date key (0 = unknown; a month-precise key ends in 00) can lie in [lo, hi]."""
    return bool(key) and (lo <= key <= hi or (key % 100 == 0 and lo <= key + 99 and key <= hi))


def _previous(snap: Snapshot, s: Sentence) -> Sentence | None:
    sents = snap.sentences(s.article_id, s.kind)
    i = bisect_left(sents, s.start, key=lambda x: x.start)
    return sents[i - 1] if 0 < i < len(sents) and sents[i].start == s.start else None
