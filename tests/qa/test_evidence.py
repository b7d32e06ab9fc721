"""Evidence scoring signals that carry over to unseen questions: names said in full once and
by surname after, and dates a sentence gives relative to its article's date."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import make_article

from eval.ablations import ablated
from index.chunk import chunk_article
from qa.evidence import Evidence, Weights, score_evidence
from qa.question import analyze
from qa.snapshot import Snapshot
from qa.types import Hit


def scored(body: str, question: str, published: str | None = "2026-03") -> dict[str, Evidence]:
    article = make_article("a", body, published=published)
    chunks = chunk_article(article)
    snap = Snapshot("g", {"a": article}, chunks)
    hits = [Hit(c.id, c.article_id, c.kind, c.text, c.start, c.end) for c in chunks]
    ev = score_evidence(snap, analyze(question), None, hits, None)
    return {e.sentence.text: e for e in ev}


def test_a_sentence_naming_a_person_by_surname_covers_the_full_name() -> None:
    body = (
        "Doug Burgum toured the oil fields on Monday. "
        "Burgum, who leads the energy council, spoke on Thursday. "
        "Doug Miller, who leads a farm council, spoke too."
    )
    ev = scored(body, "What council does Doug Burgum lead?")
    surname = ev["Burgum, who leads the energy council, spoke on Thursday."]
    other = ev["Doug Miller, who leads a farm council, spoke too."]
    assert surname.lexical == 1.0  # doug counts: "Burgum" is the Doug Burgum of the question
    assert other.lexical < surname.lexical  # another Doug is not Doug Burgum
    assert surname.score > other.score


def test_a_surname_after_another_given_name_is_another_person() -> None:
    body = (
        "Delia Ruiz chaired the mining board on Monday. "
        "Jorge Ruiz, who leads the mining board's staff, spoke on Thursday. "
        "Ruiz, who leads the mining board, spoke on Friday."
    )
    ev = scored(body, "What board does Delia Ruiz lead?")
    own = ev["Ruiz, who leads the mining board, spoke on Friday."]
    other = ev["Jorge Ruiz, who leads the mining board's staff, spoke on Thursday."]
    assert own.lexical == 1.0  # "Ruiz" alone is the question's Delia Ruiz
    assert other.lexical < own.lexical  # "Jorge Ruiz" is not, though the surname is hers


def test_a_relative_date_inside_the_asked_period_counts_as_in_the_period() -> None:
    body = "Troops caught the general in a raid in January. The general gave a speech in March."
    ev = scored(body, "What happened to the general in January 2026?", published="2026-03")
    raid = ev["Troops caught the general in a raid in January."]
    speech = ev["The general gave a speech in March."]
    # both sentences share the question's words; only the raid is dated in January 2026
    assert raid.score - speech.score > 0.15
    earlier = scored(body, "What happened to the general in January 2025?", published="2026-03")
    assert earlier["Troops caught the general in a raid in January."].score < raid.score


def test_who_runs_a_place_is_answered_by_a_title_next_to_it_not_by_the_verb() -> None:
    body = (
        "Ana Ruiz was barred from running against the mayor in Tarija. "
        "Lena Vogt, who leads the council of Potosi, spoke on Monday. "
        "Tarija's interim governor Marta Gil signed the budget."
    )
    ev = scored(body, "Who is running Tarija now?")
    titled = ev["Tarija's interim governor Marta Gil signed the budget."]
    verb = ev["Ana Ruiz was barred from running against the mayor in Tarija."]
    other = ev["Lena Vogt, who leads the council of Potosi, spoke on Monday."]
    assert titled.lexical == 1.0  # "governor" next to "Tarija" stands for "running Tarija"
    assert verb.lexical < titled.lexical  # running for office is not running the place
    assert other.lexical < titled.lexical  # leading a council is not running Tarija
    assert titled.score > max(verb.score, other.score)


def test_an_undated_article_is_scored_for_a_dated_question() -> None:
    body = "Troops caught the general in a raid in January. The general gave a speech in 2019."
    ev = scored(body, "What happened to the general in January 2026?", published=None)
    assert len(ev) == 2  # no date to compare: neither inside nor outside the period
    speech = ev["The general gave a speech in 2019."]
    assert speech.score < ev["Troops caught the general in a raid in January."].score


def test_a_name_the_question_words_describe_outranks_a_name_far_from_them() -> None:
    body = (
        "The ferry union said on Monday that the harbour master of Lowport, a post held for "
        "a decade, was under review, its spokesman Arno Vale said. "
        "Harbour master Ida Brenner of Lowport opened the new pier on Tuesday."
    )
    ev = scored(body, "Who is the harbour master of Lowport?")
    far = ev[
        "The ferry union said on Monday that the harbour master of Lowport, a post held for "
        "a decade, was under review, its spokesman Arno Vale said."
    ]
    near = ev["Harbour master Ida Brenner of Lowport opened the new pier on Tuesday."]
    assert near.score > far.score  # the far one shares every question word and names someone


def test_a_which_question_prefers_the_sentence_naming_a_thing_of_the_asked_kind(
    tmp_path: Path, real_embedder: object
) -> None:
    # "which firm" has no cue regex: spaCy's entities and the learned answer type give it,
    # so the sentence naming a company leads over the one repeating the question's words
    from index.build import sync_articles
    from index.store import open_store
    from qa.assistant import Assistant
    from qa.settings import Settings

    article = make_article(
        "bridge",
        "The council chose the builder of the new river bridge after a long contest. "
        "Contracts for the river bridge were signed on Monday. "
        "Harlow Steelworks will build the bridge, the council said, beating two rivals.",
        title="Council picks bridge builder",
        published="2025-03-01",
    )
    settings = Settings(corpus_dir=tmp_path / "none", data_dir=tmp_path)
    store = open_store(settings, real_embedder, create=True)  # type: ignore[arg-type]
    sync_articles([article], settings, real_embedder, store, progress=False)  # type: ignore[arg-type]
    bot = Assistant(settings, embedder=real_embedder, store=store, build_if_missing=False)  # type: ignore[arg-type]
    answer = bot.ask("Which firm won the contract for the river bridge?")
    assert answer.citations[0].quote.startswith("Harlow Steelworks will build"), answer.text


JOB_CUTS = [  # the first is the first hit, which the retrieval rank favours
    make_article("glenmark", "Glenmark Oil said on Tuesday it would cut 1,200 jobs worldwide."),
    make_article(
        "northwell", "Northwell Oil said on Tuesday it would make “deep cuts” of 4700 jobs."
    ),
]


@pytest.mark.parametrize(
    ("question", "detail"),
    [
        ("Which oil company will cut 4,700 jobs?", "4,700"),  # "4700" is the same figure
        ('Which oil company will make "deep cuts" to jobs?', "deep cuts"),
    ],
)
def test_an_article_lacking_a_detail_the_question_gives_is_discounted(
    question: str, detail: str
) -> None:
    chunks = [c for a in JOB_CUTS for c in chunk_article(a)]
    snap = Snapshot("g", {a.id: a for a in JOB_CUTS}, chunks)
    hits = [Hit(c.id, c.article_id, c.kind, c.text, c.start, c.end) for c in chunks]
    q = analyze(question)
    ev = {e.sentence.article_id: e for e in score_evidence(snap, q, None, hits, None)}
    assert ev["glenmark"].missing_entities == (detail,)
    assert ev["northwell"].missing_entities == ()
    with ablated("details"):  # the same question with its details not read
        unread = {e.sentence.article_id: e for e in score_evidence(snap, q, None, hits, None)}
    discount = Weights().entity_elsewhere
    assert ev["glenmark"].score == pytest.approx(unread["glenmark"].score * discount)
    assert ev["northwell"].score == pytest.approx(unread["northwell"].score)
