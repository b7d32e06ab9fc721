"""The answer-type check: a who/when/where/how-many answer must hold that kind of thing."""

from __future__ import annotations

from fakes import make_article

from index.chunk import chunk_article
from qa.compose import Policy, compose
from qa.evidence import Evidence, answer_cue
from qa.question import analyze
from qa.snapshot import Snapshot

BODY = "The two countries agreed to a prisoner swap in Qatar. Ana Lopez was freed on Monday."


def evidence_for(snap: Snapshot, question: str) -> list[Evidence]:
    q = analyze(question)
    out = [
        Evidence(sentence=s, score=0.9 - 0.1 * i, dense=0.8, lexical=0.8,
                 cue=answer_cue(q, s.text), context=1.0)
        for i, s in enumerate(snap.sentences("a", "body"))
    ]  # fmt: skip
    return out


def snapshot() -> Snapshot:
    article = make_article("a", BODY)
    return Snapshot("g", {"a": article}, chunk_article(article))


def test_a_who_question_is_answered_by_a_sentence_with_a_new_name() -> None:
    snap = snapshot()
    q = analyze("Who was freed in the prisoner swap?")
    ev = evidence_for(snap, q.text)
    assert [e.cue for e in ev] == [0.0, 1.0]
    composed = compose(snap, q, ev, [], Policy(threshold=0.5))
    assert not composed.abstained and "Ana Lopez" in composed.text


def test_without_the_asked_for_kind_of_thing_it_says_so_instead_of_quoting() -> None:
    snap = snapshot()
    q = analyze("Who was freed in the prisoner swap?")
    only_topic = evidence_for(snap, q.text)[:1]  # the swap sentence: on topic, no name
    composed = compose(snap, q, only_topic, [], Policy(threshold=0.5))
    assert composed.abstained and not composed.citations
    assert "says who" in composed.text
    what = analyze("What did the two countries agree to?")  # untyped: no such check
    assert not compose(snap, what, only_topic, [], Policy(threshold=0.5)).abstained
