"""Does what was found answer what was asked? Checks on the chosen sentences that turn an
on-topic but non-answering quote into a plain "the articles don't say".

A bi-encoder and word overlap find sentences *about* the question; they cannot tell whether
a sentence *answers* it. These checks look for what an answer must contain, by kind of
question, and name what is missing:

* who / when / where / how many: a name, date, place or number the question does not give,
  in a sentence that matches the question about as well as the best match without one
  (for "how many barrels", a number in a sentence about barrels; for "how much … worth", an
  amount of money);
* "what <thing>" / "which <thing>": the thing itself ("What sentence did he get?" is not
  answered by "he is due to stand trial"), or an entity of the question's likeliest answer
  type (``Evidence.names_top_kind``, set by :func:`qa.evidence.typed_cue`); "... about
  <topic>": the topic's most specific word ("no commercial flights" says nothing about
  deportation flights);
* yes/no about named people: one sentence that names them all ("Is Delcy Rodriguez related
  to Jorge Rodriguez?" is not answered by two sentences that each name one);
* any question: the lead sentence shares a word with the question, or is very close in
  meaning (a sentence found by embedding similarity alone is topic, not answer).

>>> head_noun("What sentence did Maduro get at his trial?")
'sentence'
>>> head_noun("Which US embassy has been handling consular matters?")
'embassy'
>>> head_noun("What was the status of the sanctions?") is None
True
>>> topic_words("What did they agree about deportation flights?")
['deportation', 'flights']
>>> topic_words("About how long after the vote did talks resume?")
[]
>>> counted_words("How many Russian navy ships docked in Venezuela?")
['russian', 'navy', 'ships']
>>> counted_words("How many people died?")
[]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qa.evidence import Evidence, is_headline
from qa.question import STOPWORDS, QuestionInfo, content_terms, content_words, fold, stem

_ASKED = {"who": "who", "when": "when", "where": "where", "how_many": "how many"}
# "what/which <words> <auxiliary>": the thing asked for is the last word before the verb
_AUXILIARIES = frozenset("did does do was were is are has have had will would can could".split())
_WHAT_THING = re.compile(
    r"^(?:in |for |from |at |to |on |by )?(?:what|which)\s+((?:[\w’'-]+\s+){0,3}?[\w’'-]+)\s+"
    r"(?:" + "|".join(sorted(_AUXILIARIES)) + r")\b",
    re.IGNORECASE,
)
# nouns that name no thing of their own: "what was the status / reason / result of ..."
_LIGHT = frozenset(
    """kind kinds sort type types part role status situation reason reasons result results
    outcome purpose way ways thing things name names number amount level state stance view
    position response reaction significance impact effect effects""".split()
)
# things answered by a name, place or date rather than by the word itself
_TYPED = frozenset(
    """city country place year date day month time person people man woman leader official
    minister president politician diplomat envoy ambassador negotiator side party group""".split()
)


def head_noun(question: str) -> str | None:
    """The thing a "what/which <thing> <verb>" question asks for, or None."""
    m = _WHAT_THING.match(question.strip())
    if m is None:
        return None
    words = m.group(1).lower().split()
    if any(w in _AUXILIARIES for w in words):  # "what did the US do": no thing is named
        return None
    word = words[-1]
    if word in STOPWORDS or word in _LIGHT or word in _TYPED or not word.isalpha():
        return None
    return word


_ABOUT = re.compile(r"\b(?:about|regarding|concerning)\s+((?:[\w’'-]+\s*){1,3})", re.IGNORECASE)


def topic_words(question: str) -> list[str]:
    """The content words of what an "agree/say/warn about <topic>" question is about."""
    m = _ABOUT.search(question.strip()[1:])  # not a leading "About how long ..."
    if m is None:
        return []
    words: list[str] = []
    for w in m.group(1).split():
        if w.lower() in STOPWORDS:
            break
        words.append(w.lower())
    return [w for w in words if w.isalpha()]


_HOW_MANY = re.compile(r"\bhow (?:many|much)\s+((?:[\w’'-]+\s*){1,3})", re.IGNORECASE)
# counted things that any count names ("how many people died": "one hundred deaths")
_GENERIC_COUNT = frozenset("people persons times cases ones things".split())


# "how much ... worth / cost / in dollars": the answer is an amount of money
_MONEY_ASKED = re.compile(
    r"\bhow much\b.*\b(?:worth|cost|costs|dollars?|euros?|pounds?|price|paid|pay|spend|spent|"
    r"money|budget|funding)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$€£]\s?\d|\b\d[\d,.]*\s*(?:dollars|euros|pounds|usd|eur|bn|billion|million|trillion)\b",
    re.IGNORECASE,
)


def counted_words(question: str) -> list[str]:
    """The words naming what a "how many <things>" question counts (up to the verb)."""
    m = _HOW_MANY.search(question)
    if m is None:
        return []
    words: list[str] = []
    for w in m.group(1).split():
        w = w.lower().strip("’'")
        if w in STOPWORDS or not w.isalpha():
            break
        words.append(w)
    return [] if any(w in _GENERIC_COUNT for w in words) else words


MIN_DENSE = 0.45
"""A lead sentence sharing no word with the question, or the lead of an answer whose quotes
lack most of the question's words (:data:`MOSTLY_MISSING`), must reach this cosine to be on
its topic."""

MOSTLY_MISSING = 0.7
"""The share of the question's IDF-weighted words the quoted sentences may lack before the
lead must be close in meaning (:data:`MIN_DENSE`). Chosen on realtimeqa train (20 weeks, shares
0.4-0.9 in steps of 0.1, replayed): the lowest share at which no answered answerable question
is refused (8 more unanswerable questions refused; 0.6 refused 15 but also one answer)."""


def missing_share(
    q: QuestionInfo, chosen: Sequence[Evidence], idf: Callable[[str], float] | None
) -> float:
    """The share of the question's words, each weighted by its IDF, that none of the
    ``chosen`` sentences holds (stems; 0.0 for a question without content words).

    >>> from qa.question import analyze
    >>> from qa.snapshot import Sentence
    >>> lead = Evidence(Sentence("a", "body", 0, 22, "The storm hit Florida."), 0.5, 0.4, 0.5, 1, 0)
    >>> missing_share(analyze("Which storm hit Cuba?"), [lead], None)
    0.3333333333333333
    """
    terms = set(q.terms)
    weight = idf or (lambda _: 1.0)
    total = sum(weight(t) for t in terms)
    if not total:
        return 0.0
    held = {t for e in chosen for t in content_terms(e.sentence.text)}
    return sum(weight(t) for t in terms if t not in held) / total


def unanswered(
    q: QuestionInfo,
    chosen: Sequence[Evidence],
    usable: Sequence[Evidence] = (),
    min_dense: float = MIN_DENSE,
    unnamed_margin: float = 0.30,
    idf: Callable[[str], float] | None = None,
    mostly_missing: float | None = None,
) -> str | None:
    """What the chosen sentences fail to say ("who", "what sentence", ...), or None when
    they may answer the question. ``usable`` is all evidence above the threshold; ``idf``
    (of a stem) picks a topic's most specific word ("deportation" of "deportation flights",
    which must be mentioned; without it, the topic's last word). ``mostly_missing`` (the
    whole answer's check, :data:`MOSTLY_MISSING`): the share of the question's words the
    chosen sentences may lack before the lead must be close in meaning."""
    lead = chosen[0]
    lacking = mostly_missing is not None and missing_share(q, chosen, idf) > mostly_missing
    if lead.dense < min_dense and (
        lead.lexical == 0.0 or lacking
    ):  # on another topic, or another event of the topic ("a 6.9 earthquake" answered
        # with "a 4.0 quake in Oklahoma")
        return "anything about it"
    asked = _ASKED.get(q.qtype)
    if asked and not any(e.cue == 1.0 for e in chosen):
        return asked
    if asked and _described_not_named(chosen, usable, unnamed_margin):
        return asked
    money = bool(_MONEY_ASKED.search(q.text))
    if money and not any(_MONEY.search(e.sentence.text) for e in chosen):
        return "how much money"
    # "how much money / funding ...": the amount above is the count; "$134 million" need
    # not say "money"
    counted = counted_words(q.text) if q.qtype == "how_many" and not money else []
    if counted and not any(
        e.cue == 1.0 and any(_mentions(w, e.sentence.text) for w in counted) for e in chosen
    ):
        return "how many " + " ".join(counted)
    noun = head_noun(q.text)
    if noun is not None and not any(  # or a thing of the likeliest kind: a firm for "which firm"
        _mentions(noun, e.sentence.text) or e.names_top_kind for e in chosen
    ):
        return f"what {noun}"
    topic = topic_words(q.text)
    if topic:
        key = max(topic, key=lambda w: idf(stem(w))) if idf else topic[-1]
        if not any(_mentions(key, e.sentence.text) for e in chosen):
            return "anything about " + " ".join(topic)
    if q.qtype == "yesno":
        names = [n for n in q.entities if len(n.split()) > 1]
        if len(names) > 1 and not any(_names_all(names, e.sentence.text) for e in chosen):
            return "anything about " + " and ".join(names) + " together"
    return None


def asked_for(q: QuestionInfo) -> str:
    """What an answer to ``q`` must say, for a refusal: "who", "what sentence", ...

    >>> from qa.question import analyze
    >>> asked_for(analyze("Who won?")), asked_for(analyze("What sentence did he get?"))
    ('who', 'what sentence')
    """
    asked = _ASKED.get(q.qtype)
    if asked:
        return asked
    noun = head_noun(q.text)
    return f"what {noun}" if noun else "what was asked"


def _described_not_named(
    chosen: Sequence[Evidence], usable: Sequence[Evidence], margin: float
) -> bool:
    """A sentence matching the question's description far better than any chosen sentence
    that holds a name (date, ...) does not give one itself: "the UN rights chief warned ..."
    is found, and the names on offer belong to other, weaker matches ("the rights group Foro
    Penal warned ..."). The articles describe the one asked about without saying who."""
    described = max(  # a Title Case line ("... were United Kingdom Prime Minister Keir
        # Starmer, Italian Prime Minister ...") has no cue because capitals say nothing there
        (e.lexical for e in usable if e.cue == 0.0 and not is_headline(e.sentence.text)),
        default=0.0,
    )
    named = max((e.lexical for e in chosen if e.cue == 1.0), default=0.0)
    return described - named >= margin


def _mentions(noun: str, text: str) -> bool:
    """The noun, or a compound ending in it ("maker" in "filmmaker"), is in the text."""
    target = stem(noun)
    return any(
        stem(w) == target or (len(noun) > 3 and w.endswith(noun)) for w in content_words(text)
    )


def _names_all(names: Sequence[str], text: str) -> bool:
    """Every name is in the text: in full, or by surname when no other name shares it."""
    folded = fold(text)
    words = set(re.findall(r"\w+", folded))
    lasts = [fold(n).split()[-1] for n in names]
    for name, last in zip(names, lasts, strict=True):
        parts = fold(name).split()
        full = all(p in words for p in parts)
        by_surname = lasts.count(last) == 1 and last in words
        if not (full or by_surname):
            return False
    return True


__all__ = ["MIN_DENSE", "counted_words", "head_noun", "topic_words", "unanswered"]
