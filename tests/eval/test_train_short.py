"""Training the short-answer model end to end on a tiny synthetic set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from eval.train_short import ShortConfig, ShortGroup, fit, simulate, train_short, write_card
from qa.entities import EntityTagger
from qa.short import FEATURES, Candidate, ShortModel, candidate_features, pair_text

WINNERS = [("Ann Lee", "Bob Stone"), ("Cara Diaz", "Dan Fox"), ("Eve Moss", "Finn Hale")]


def _group(i: int, winner: str, loser: str) -> ShortGroup:
    sentence = f"{winner} beat {loser} in race number {i}."
    cands = [Candidate(n, "PERSON", 1, 0, len(n), sentence) for n in (loser, winner)]
    rows = np.array([[-0.1, 0.5, 0.7, 0.7, 1.0], [-0.1, 0.4, 0.7, 0.7, 1.0]])  # FEATURES
    right = np.array([False, True])
    pairs = tuple(pair_text(c) for c in cands)
    return ShortGroup(
        f"q{i}", f"w{i % 4}", f"Who won race number {i}?", rows, right, 0, True, pairs
    )


def test_the_conditional_logit_learns_which_feature_marks_the_right_candidate() -> None:
    groups = [_group(i, *WINNERS[i % 3]) for i in range(8)]
    coef = fit(groups, l2=0.01)
    assert coef[FEATURES.index("support")] < 0  # here the right one has less support


def test_training_writes_a_loadable_model_with_its_card(tmp_path: Path) -> None:
    groups = [_group(i, *WINNERS[i % 3]) for i in range(8)]
    config = ShortConfig(epochs=1, train_layers=1, max_length=32, l2s=(1.0,))
    meta = train_short(groups, groups, config, out=tmp_path, source={"held_weeks": ["w0", "w3"]})
    write_card(tmp_path, meta)
    assert (tmp_path / "README.md").read_text().startswith("# short-answer")
    assert (tmp_path / "delta.safetensors").stat().st_size < 10e6  # the trained layers only
    weights = json.loads((tmp_path / "weights.json").read_text())
    assert weights["features"] == [*FEATURES, "ce"] and meta["real_questions"] == 8
    model = ShortModel(tmp_path)
    sentence = "Gus Ray beat Hal Ito in the final."
    cands = [Candidate(n, "PERSON", 1, 0, len(n), sentence) for n in ("Gus Ray", "Hal Ito")]
    rows = candidate_features(cands, {"PERSON": 0.9}, [])
    scores = model.scores("Who won the final?", cands, rows)
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_simulated_groups_come_from_a_questions_own_pages() -> None:
    from eval.realtimeqa.data import Page, RtQuestion

    page = Page(
        "p1", "", "Race", None, "Ann Lee won the city race on Sunday. Bob Stone came second."
    )
    q = RtQuestion("q1", "w1", "", "Who won the city race?", ("Ann Lee", "Bob Stone"), "Ann Lee",
                   True, ("p1",))  # fmt: skip
    groups = simulate([q], {"p1": page}, EntityTagger(), lambda s: {"PERSON": 0.9})
    assert len(groups) == 1
    g = groups[0]
    assert [p.split(" | ")[0] for p, r in zip(g.pairs, g.right, strict=True) if r] == ["Ann Lee"]


def test_simulated_groups_offer_noun_chunks_where_the_answer_is_no_entity() -> None:
    from eval.realtimeqa.data import Page, RtQuestion
    from qa.entities import NounChunker

    page = Page("p1", "", "Zoo", None, "The keeper said the zoo studied chimpanzees for years.")
    q = RtQuestion("q1", "w1", "", "Which animals did the zoo study?", ("Chimpanzees", "Bears"),
                   "Chimpanzees", True, ("p1",))  # fmt: skip
    other = {"OTHER": 0.9, "PERSON": 0.1}
    assert simulate([q], {"p1": page}, EntityTagger(), lambda s: other) == []  # entities only
    groups = simulate([q], {"p1": page}, EntityTagger(), lambda s: other, chunker=NounChunker())
    assert len(groups) == 1
    right = [p.split(" | ")[0] for p, r in zip(groups[0].pairs, groups[0].right, strict=True) if r]
    assert right == ["chimpanzees"]
