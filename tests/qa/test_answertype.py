"""The learned answer typer and spaCy's entities, on hand-made questions (not from the data)."""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Any

import pytest

import qa.answertype
from index.errors import ModelMissing
from qa.answertype import AnswerTyper
from qa.entities import EntityTagger

CASES = [
    ("Which country's navy seized the two tankers?", "GPE"),
    ("Who was sworn in as the new mayor of Springfield?", "PERSON"),
    ("How much did the museum pay for the painting?", "MONEY"),
    ("When will the bridge reopen to traffic?", "DATE"),
    ("How many passengers were on the ferry?", "CARDINAL"),
    ("Which company agreed to buy the chipmaker?", "ORG"),
    ("Which city was chosen to host the summit?", "GPE"),
]


@pytest.fixture(scope="module")
def typer() -> AnswerTyper:
    return AnswerTyper()


@pytest.mark.parametrize(("question", "label"), CASES)
def test_the_shipped_typer_expects_the_right_kind_of_entity(
    typer: AnswerTyper, real_embedder: Any, question: str, label: str
) -> None:
    probs = typer.predict(real_embedder.embed([question])[0], question)
    assert max(probs, key=probs.__getitem__) == label
    assert abs(sum(probs.values()) - 1.0) < 1e-4


def test_a_missing_typer_names_the_command_that_makes_it(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="qa train"):
        AnswerTyper(tmp_path)


def test_spacy_entities_carry_exact_offsets() -> None:
    text = "Kerry met Venezuela's foreign minister in Antigua on Wednesday."
    ents = EntityTagger().tag([text])[0]
    assert ents and all(text[e.start : e.end] == e.text for e in ents)
    assert ("Antigua", "GPE") in {(e.text, e.label) for e in ents}
    assert ("Wednesday", "DATE") in {(e.text, e.label) for e in ents}


def test_docstring_examples() -> None:
    result = doctest.testmod(qa.answertype)
    assert result.attempted > 0 and result.failed == 0
