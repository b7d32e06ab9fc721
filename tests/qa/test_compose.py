"""The answer-type check: a who/when/where/how-many answer must hold that kind of thing."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from fakes import make_article

from index.chunk import chunk_article
from qa.compose import Policy, compose
from qa.entities import Entity
from qa.evidence import Evidence, answer_cue
from qa.question import analyze
from qa.roles import Role
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


TERMS = {
    "profile-2025": ("Ivo Brandt is the president of Valdoria and hosts the summit.", "2025-09-02"),
    "budget-2022": ("Farmers in Valdoria will gain most, President Mara Tell said.", "2022-03-01"),
}


def terms_snapshot() -> Snapshot:
    articles = {aid: make_article(aid, body, published=day) for aid, (body, day) in TERMS.items()}
    chunks = [c for a in articles.values() for c in chunk_article(a)]
    return Snapshot("g", articles, chunks)


def president_titles(texts: Sequence[str]) -> list[tuple[Role, ...]]:
    """A title reader: "President <First Last>" names the holder of the asked office."""
    office = np.ones(3, dtype=np.float32) / np.sqrt(3)
    out: list[tuple[Role, ...]] = []
    for text in texts:
        m = re.search(r"President ([A-Z]\w+ [A-Z]\w+)", text)
        name = Entity(m.group(1), "PERSON", m.start(1), m.end(1)) if m else None
        out.append((Role(0.7, name, office, 1.0),) if name else ())
    return out


def terms_evidence(snap: Snapshot, scores: dict[str, tuple[float, float]]) -> list[Evidence]:
    """Each article's sentence with its (score, period fit), best first."""
    out = [
        Evidence(sentence=snap.sentences(aid, "body")[0], score=score, dense=0.5, lexical=0.5,
                 cue=1.0, context=1.0, period=fit)
        for aid, (score, fit) in scores.items()
    ]  # fmt: skip
    return sorted(out, key=lambda e: -e.score)


def test_the_periods_report_naming_the_asked_office_answers_though_it_scores_low() -> None:
    snap = terms_snapshot()
    q = analyze("Who was the president of Valdoria in 2022?", tense="past")
    # the other year's profile scores higher, though under the threshold; the period's own
    # report names the president in passing
    ev = terms_evidence(snap, {"profile-2025": (0.45, -1.0), "budget-2022": (0.2, 1.0)})
    composed = compose(snap, q, ev, [], Policy(threshold=0.5), holds=president_titles)
    assert not composed.abstained, composed.text
    assert composed.citations[0].article_id == "budget-2022", composed.text
    assert composed.holder is not None and composed.holder.text == "Mara Tell"
    # a calibrated refusal gives way to it as well
    decided = compose(snap, q, ev, [], Policy(threshold=0.5), decided=False,
                      holds=president_titles)  # fmt: skip
    assert decided.citations[0].article_id == "budget-2022", decided.text
    # without a title naming the office, nothing of the period answers
    plain = compose(snap, q, ev, [], Policy(threshold=0.5), holds=lambda ts: [()] * len(ts))
    assert plain.abstained, plain.text


def test_another_years_holder_does_not_answer_for_a_past_period() -> None:
    snap = terms_snapshot()
    q = analyze("Who was the president of Valdoria in 2023?", tense="past")
    ev = terms_evidence(snap, {"profile-2025": (0.8, -1.0), "budget-2022": (0.6, -1.0)})
    composed = compose(snap, q, ev, [], Policy(threshold=0.5), holds=president_titles)
    assert composed.abstained and not composed.citations, composed.text
    assert "says who in 2023" in composed.text, composed.text
