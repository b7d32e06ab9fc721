"""Bridging: a person described in the question ("her successor") is answered about by the
name an article gives for that description, and the answer quotes the bridging sentence."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from fakes import make_article

import qa.bridge
from index.build import sync_articles
from index.store import open_store
from qa.assistant import Assistant
from qa.bridge import descriptions, name_for
from qa.settings import Settings

MILL_2015 = (
    "Ana Ruiz retired as head of the cooperative in May. "
    "In June, her chosen successor, Marta Gil, took over the running of the mill. "
    "The mill employs four hundred workers."
)
MILL_2020 = (
    "The cooperative's mill was closed for a week. "
    "Police arrested Marta Gil, the mill's director, in a dawn raid in February. "
    "Workers gathered outside the gates."
)

MILL_2022 = (
    "The mill reopened in March after two years of repairs. Its new owners hired 200 workers."
)


def test_docstring_examples() -> None:
    result = doctest.testmod(qa.bridge)
    assert result.attempted > 0 and result.failed == 0


def test_a_description_is_read_only_with_a_possessive_role() -> None:
    assert [d.role for d in descriptions("What did her successor do?")] == ["successor"]
    assert descriptions("What did the cooperative decide in 2020?") == []
    # "his successor captured": a participle after the role is no role of its own
    assert [d.role for d in descriptions("Was his successor captured?")] == ["successor"]
    assert name_for("successor", "Her successor took over.") is None
    assert name_for("successors", "Her successor, Marta Gil, took over.") == "Marta Gil"


@pytest.fixture(scope="module")
def mill_bot(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Assistant:
    data: Path = tmp_path_factory.mktemp("bridge-index")
    settings = Settings(corpus_dir=data / "none", data_dir=data)
    articles = [
        make_article("mill-2015", MILL_2015, published="2015-07"),
        make_article("mill-2020", MILL_2020, published="2020-03"),
        make_article("mill-2022", MILL_2022, published="2022-04"),
        make_article("mill-undated", "Workers praise the owners.", published=None),
    ]
    store = open_store(settings, real_embedder, create=True)  # type: ignore[arg-type]
    sync_articles(articles, settings, real_embedder, store, progress=False)  # type: ignore[arg-type]
    return Assistant(settings, embedder=real_embedder, store=store, build_if_missing=False)  # type: ignore[arg-type]


def test_a_described_person_is_answered_about_by_name_and_the_bridge_is_quoted(
    mill_bot: Assistant,
) -> None:
    answer = mill_bot.ask("What happened to the woman Ana Ruiz picked as her successor in 2020?")
    assert not answer.abstained
    quotes = [c.quote for c in answer.citations]
    assert any("arrested Marta Gil" in q for q in quotes), answer.text
    assert any("her chosen successor, Marta Gil" in q for q in quotes), answer.text
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
    assert any("Marta Gil" in note for note in answer.notes)


def test_the_interval_between_two_events_crosses_the_bridge(mill_bot: Assistant) -> None:
    answer = mill_bot.ask("How long after Ana Ruiz retired was her successor arrested?")
    assert answer.text.startswith("About 5 years (May 2015 → Feb 2020): "), answer.text
    assert any("chosen successor, Marta Gil" in c.quote for c in answer.citations)


def test_a_who_question_about_the_role_is_not_rewritten(mill_bot: Assistant) -> None:
    answer = mill_bot.ask("Who did Ana Ruiz pick as her successor?")
    assert not any("read as" in note for note in answer.notes)
    assert "Marta Gil" in answer.text


def test_a_thing_described_by_a_clause_is_asked_about_without_it(mill_bot: Assistant) -> None:
    answer = mill_bot.ask("Has the mill that police raided in February 2020 reopened since?")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.article_id == "mill-2022" and "reopened" in first.quote, answer.text
    # the sentence that identified the mill (the raid) is quoted as the bridge
    assert any("dawn raid" in c.quote for c in answer.citations), answer.text
    assert any("identified by its quoted sentence" in note for note in answer.notes)


def test_clause_end_needs_a_covered_clause_and_something_left_to_ask() -> None:
    from qa.bridge import clause_end

    question = "Has the mill that police raided in February 2020 reopened since?"
    assert clause_end(question, {"polic", "raid", "februari"}) == "Has the mill reopened since?"
    assert clause_end(question, {"raid"}) is None  # one covered word is no clause
    assert clause_end("Is the mill that police raided open?", {"polic", "raid", "open"}) is None


def test_after_an_event_only_articles_from_then_on_are_quoted(mill_bot: Assistant) -> None:
    before = mill_bot.ask("Who took over the running of the mill?")
    assert [c.article_id for c in before.citations] == ["mill-2015"]
    # the 2015 takeover cannot be what followed a 2020 raid, nor is the raid itself
    answer = mill_bot.ask("Who took over the running of the mill after the dawn raid?")
    assert answer.abstained and not answer.citations, answer.text
    assert any("can report what followed “the dawn raid”" in n for n in answer.notes), answer
    later = mill_bot.ask("What happened to the mill after the dawn raid?")
    assert later.citations, later.text
    assert all(c.article_id != "mill-2015" and "dawn raid" not in c.quote for c in later.citations)
