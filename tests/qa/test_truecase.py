"""A question typed without capitals is read with the capitals the articles give its words."""

from __future__ import annotations

import doctest

import pytest

import qa.assistant
import qa.truecase
from qa.assistant import Assistant
from qa.truecase import truecase, uncased


def test_docstring_examples() -> None:
    result = doctest.testmod(qa.truecase)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who is delcy rodriguez?", True),
        ("Who is delcy rodriguez?", True),  # only the first letter: still typed without them
        ("Who is Delcy Rodriguez?", False),
        ("what did the us do?", True),
        ("WHO WON?", False),
        ("?", False),
    ],
)
def test_uncased(question: str, expected: bool) -> None:
    assert uncased(question) is expected


def test_only_a_form_the_passages_nearly_always_use_inside_sentences_is_taken() -> None:
    passages = [
        "Officials said May Lin would lead. The talks may resume in May, officials said.",
        "Open questions remain. The border will stay open, said Orbis spokesman Tom Hale.",
        "The border may open again, Hale said, and Orbis agreed.",
    ]
    # "may" is written both ways, "open" is capitalised only where a sentence starts
    assert truecase("will the border open as orbis and hale say it may?", passages) == (
        "Will the border open as Orbis and Hale say it may?"
    )
    assert truecase("who is zed?", passages) == "Who is zed?"  # words the passages lack: kept


def test_a_question_typed_without_capitals_is_answered_as_the_capitalised_one(
    seed_bot: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    cased = seed_bot.ask("Who is Delcy Rodriguez?")
    lower = seed_bot.ask("who is delcy rodriguez?")
    assert lower.resolved_question == "Who is Delcy Rodriguez?"
    assert lower.text == cased.text and lower.short == cased.short
    assert "Delcy Rodriguez" in lower.citations[0].quote
    monkeypatch.setattr(qa.assistant, "uncased", lambda _text: False)
    # read as typed, no name is found to describe and a role's holder leads instead
    assert seed_bot.ask("who is delcy rodriguez?").text != cased.text
