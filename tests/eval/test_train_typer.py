"""Training the answer typer end to end on a tiny synthetic set."""

from __future__ import annotations

import json
from pathlib import Path

from eval.ranker_data import RankItem
from eval.train_typer import label_items, train_typer
from qa.answertype import CLASSES, AnswerTyper
from qa.entities import EntityTagger
from tests.fakes import FakeEmbedder

PEOPLE = ["Ann Lee", "Barack Obama", "Angela Merkel", "Joe Biden"]
PLACES = ["France", "Japan", "Brazil", "Canada"]


def _items() -> list[RankItem]:
    items = []
    for i, (who, where) in enumerate(zip(PEOPLE, PLACES, strict=True)):
        week = f"w{i % 4}"
        items.append(RankItem(f"p{i}", week, f"Who gave the speech number {i}?", who,
                              (f"{who} gave the speech on Monday.", "It rained.")))  # fmt: skip
        items.append(RankItem(f"g{i}", week, f"Which country hosted meeting {i}?", where,
                              (f"The meeting took place in {where} last week.",)))  # fmt: skip
    return items


def test_answers_are_labelled_by_spacy_in_their_sentence() -> None:
    labels = label_items(_items(), EntityTagger())
    assert labels[0::2] == ["PERSON"] * 4 and labels[1::2] == ["GPE"] * 4


def test_training_writes_a_loadable_model_with_its_card(tmp_path: Path) -> None:
    items = _items()
    meta = train_typer(items, items[:2], FakeEmbedder(), out=tmp_path, grid=(1.0,))
    assert (tmp_path / "README.md").read_text().startswith("# answer-type")
    assert json.loads((tmp_path / "meta.json").read_text())["n_train"] == len(items)
    assert meta["train_labels"] == {"PERSON": 4, "GPE": 4}
    typer = AnswerTyper(tmp_path)
    emb = FakeEmbedder()
    q = "Who gave the speech number 9?"
    probs = typer.predict(emb.embed([q])[0], q)
    assert set(probs) == set(CLASSES) and probs["PERSON"] > probs["GPE"]
