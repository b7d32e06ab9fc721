"""Time between two events: parsing, dating a sentence, the arithmetic, and the answer."""

from __future__ import annotations

import doctest

import pytest

import qa.interval
from qa.assistant import Assistant
from qa.interval import difference, event_date, parse_anchor, parse_interval


def test_docstring_examples() -> None:
    result = doctest.testmod(qa.interval)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("question", "first", "second", "unit"),
    [
        ("How long after the flood did the dam reopen?", "the flood", "the dam reopen", "years"),
        (
            "How many months before the vote were the talks held?",
            "the talks held",
            "the vote",
            "months",
        ),
        (
            "Roughly how many years passed between the coup and the election?",
            "the coup",
            "the election",
            "years",
        ),
    ],
)
def test_parse_finds_both_events_in_time_order(
    question: str, first: str, second: str, unit: str
) -> None:
    parsed = parse_interval(question)
    assert parsed is not None
    assert (parsed.first, parsed.second, parsed.unit) == (first, second, unit)


@pytest.mark.parametrize(
    "question", ["Who met Jaua?", "How many prisoners were freed?", "When did the talks start?"]
)
def test_other_questions_are_not_intervals(question: str) -> None:
    assert parse_interval(question) is None


def test_a_sentence_dates_its_event_only_when_unambiguous() -> None:
    assert event_date("Talks resumed in March 2019 in Oslo.", None) == ("March 2019", "2019-03")
    assert event_date("Talks failed in 2008 and again in 2019.", None) is None
    assert event_date("Talks failed.", "2019-08-21") is None
    assert event_date("Talks resumed last year.", "2024-07") == ("last year", "2023")


def test_difference_words_and_refusals() -> None:
    assert difference("2019-03", "2019-08", "years") == "5 months"
    assert difference("2013-03", "2014-03", "years") == "1 year"
    assert difference("2019", "2008", "years") is None, "a later first event is no interval"


def test_the_answer_subtracts_the_dates_of_two_cited_sentences(seed_bot: Assistant) -> None:
    answer = seed_bot.ask(
        "How many years after Chavez expelled the US ambassador did Washington suspend "
        "its embassy in Caracas?"
    )
    assert not answer.abstained and len(answer.citations) == 2
    first, second = answer.citations
    assert "2008" in first.quote and "2019" in second.quote
    assert answer.text.startswith("11 years (2008 → Mar 2019): ")
    assert any("interval" in note for note in answer.notes)


def test_without_a_dated_sentence_per_event_it_answers_the_ordinary_way(
    seed_bot: Assistant,
) -> None:
    answer = seed_bot.ask("How long after the Kerry-Jaua meeting did the Norway talks begin?")
    assert not any("interval" in note for note in answer.notes)


@pytest.mark.parametrize(
    ("question", "event"),
    [
        ("When will they vote after Maduro's capture?", "Maduro's capture"),
        ("What changed since the raid, and why?", "the raid"),
        ("What changed after January 2026?", None),  # a period, not an event
        ("What changed since 2019?", None),
        ("Has Washington since appointed a diplomat?", None),  # "since" as an adverb
        ("How long after the flood did the dam reopen?", None),  # an interval question
    ],
)
def test_parse_anchor(question: str, event: str | None) -> None:
    assert parse_anchor(question) == event
