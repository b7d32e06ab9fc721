"""Training the evidence ranker on a tiny benchmark folder written here, end to end."""

from __future__ import annotations

import dataclasses
import json
import lzma
import random
from pathlib import Path

import pytest
import torch

from eval.ranker_data import RankItem, build_items, cross_pools, mine_groups, split_holdout
from eval.ranker_probe import FeatureRanker, format_rows, overlap_score, rerank_figures
from eval.realtimeqa.data import contains_answer, fold, load_dataset
from eval.train_ranker import TrainConfig, distill_loss, group_loss, train_ranker
from qa.cli import main
from qa.rerank import CrossEncoderReranker

FILLER = (
    "The council met on Tuesday to discuss the budget. Residents raised concerns about "
    "roads. The meeting lasted three hours. A vote is expected next month."
)
PAGES = [  # (id, title, text): each answer sits among on-topic sentences that lack it
    ("s1", "Harbor festival", "The Lowmere harbor festival returns this summer. "
     "The festival will be opened by Mayor Ines Calder on Friday. Organisers expect crowds "
     f"at the harbor festival. {FILLER}"),
    ("s2", "Bridge plans", "Carden's new bridge has been delayed again. "
     "Engineers said the Carden bridge will open in 2031. The bridge plan drew protests. "
     f"{FILLER}"),
    ("s3", "Chess final", "The national chess final ended in a draw on Sunday. "
     "Tomas Reyes won the chess final after a playoff game. The chess final drew fans. "
     f"{FILLER}"),
    ("s4", "Flood response", "Heavy rain flooded the valley town of Oxby. "
     "About 4,500 people were evacuated from Oxby as the flood spread. The flood in Oxby "
     f"was the worst in years. {FILLER}"),
    ("s5", "Orchestra tour", "The Vell orchestra announced a world tour. "
     "The Vell orchestra will begin its tour in Lisbon. Tickets for the orchestra tour sold out. "
     f"{FILLER}"),
    ("s6", "Rail strike", "Rail workers in Dunmore went on strike. "
     "The Dunmore rail strike was called by the Transit Union. The rail strike stopped trains. "
     f"{FILLER}"),
]  # fmt: skip
QUESTIONS = [  # (id, week, question, answer, pages)
    ("t1", "20240105", "Who will open the Lowmere harbor festival?", "Ines Calder", ["s1", "s2"]),
    ("t2", "20240105", "When will the Carden bridge open?", "2031", ["s2", "s3"]),
    ("t3", "20240112", "Who won the national chess final?", "Tomas Reyes", ["s3"]),
    ("t4", "20240112", "How many people were evacuated from Oxby?", "4,500", ["s4", "s1"]),
    ("t5", "20240119", "Where will the Vell orchestra begin its tour?", "Lisbon", ["s5"]),
    ("t6", "20240119", "Which union called the Dunmore rail strike?", "Transit Union", ["s6"]),
]


def write_benchmark(folder: Path) -> Path:
    """pages.jsonl.xz, train.jsonl (all six questions) and dev.jsonl (three of them)."""
    folder.mkdir(parents=True)
    with lzma.open(folder / "pages.jsonl.xz", "wt", encoding="utf-8") as f:
        for pid, title, text in PAGES:
            row = {"id": pid, "url": f"https://x.example/{pid}", "title": title, "text": text}
            f.write(json.dumps(row) + "\n")
    for split, rows in (("train", QUESTIONS), ("dev", QUESTIONS[::2])):
        with (folder / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for qid, week, question, answer, pages in rows:
                q = {"id": qid, "week": week, "question_date": week, "question": question,
                     "choices": [answer, "x", "y", "z"], "answer": answer,
                     "answer_in_pages": True, "pages": pages}  # fmt: skip
                f.write(json.dumps(q) + "\n")
    return folder


TINY = TrainConfig(layers=1, max_length=32, negatives=3, epochs=2, batch_groups=2, holdout=0.34)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_benchmark(tmp_path_factory.mktemp("tiny") / "data")


@pytest.fixture(scope="module")
def trained(bench: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models") / "ranker"
    train_ranker(bench, out, TINY, progress=False, command="qa train --data tiny")
    return out


# ----------------------------------------------------------------------------- mining


def test_items_are_the_cleaned_sentences_with_positives(bench: Path) -> None:
    items = build_items(load_dataset(bench), "train", progress=False)
    assert [i.id for i in items] == [q[0] for q in QUESTIONS]
    for item, (_, _, _, answer, _) in zip(items, QUESTIONS, strict=True):
        assert len(item.positives) == 1
        assert all(
            contains_answer(fold(item.sentences[i]), answer) == (i in item.positives)
            for i in range(len(item.sentences))
        )
        assert sorted(item.by_overlap) == list(range(len(item.sentences)))


def test_groups_put_positives_first_and_are_seeded(bench: Path) -> None:
    items = build_items(load_dataset(bench), "train", progress=False)
    groups = mine_groups(items, negatives=3, positives=1, pool=4, random_negatives=1, seed=7)
    assert len(groups) == len(items)
    by_question = {i.question: i for i in items}
    for g in groups:
        item = by_question[g.question]
        assert g.n_pos == 1 and len(g.texts) == 4
        assert contains_answer(fold(g.texts[0]), item.answer)
        assert not any(contains_answer(fold(t), item.answer) for t in g.texts[1:])
    again = mine_groups(items, negatives=3, positives=1, pool=4, random_negatives=1, seed=7)
    other = mine_groups(items, negatives=3, positives=1, pool=4, random_negatives=1, seed=8)
    assert again == groups and other != groups


def test_cross_negatives_come_from_the_same_weeks_other_pages(bench: Path) -> None:
    items = build_items(load_dataset(bench), "train", progress=False)
    pools = cross_pools(items, pool=5)
    for item in items:
        same_week = {
            s for i in items if i.week == item.week and i.id != item.id for s in i.sentences
        }
        assert set(pools[item.id]) <= same_week - set(item.sentences)
        assert not any(contains_answer(fold(s), item.answer) for s in pools[item.id])
    assert any(pools.values())
    groups = mine_groups(items, negatives=3, positives=1, pool=4, random_negatives=1, seed=7,
                         cross=pools, cross_negatives=2)  # fmt: skip
    by_question = {i.question: i for i in items}
    for g in groups:
        item = by_question[g.question]
        assert len(g.texts) == 4 + min(2, len(pools[item.id]))
        assert set(g.texts[4:]) <= set(pools[item.id])


def test_holdout_keeps_whole_weeks_apart() -> None:
    items = [RankItem(str(i), f"w{i % 5}", "?", "x", ()) for i in range(50)]
    fit, held = split_holdout(items, 0.4, seed=3)
    assert len(fit) + len(held) == 50 and {i.week for i in held}.isdisjoint(i.week for i in fit)
    assert len({i.week for i in held}) == 2


def test_group_loss_prefers_the_positive_first() -> None:
    good = group_loss(torch.tensor([3.0, 0.0, 0.0, 1.0, 0.0]), [3, 2], [1, 1])
    bad = group_loss(torch.tensor([0.0, 3.0, 0.0, 0.0, 1.0]), [3, 2], [1, 1])
    assert float(good) < float(bad)
    two_pos = group_loss(torch.tensor([2.0, 2.0, 0.0]), [3], [2])
    assert float(two_pos) < float(group_loss(torch.tensor([2.0, 2.0, 0.0]), [3], [1]))


def test_distill_loss_is_zero_at_the_teacher_and_grows_away_from_it() -> None:
    teacher = torch.tensor([3.0, 0.0, 1.0, 2.0, 0.0])
    assert float(distill_loss(teacher, teacher, [3, 2])) == pytest.approx(0.0, abs=1e-6)
    assert float(distill_loss(teacher + 5.0, teacher, [3, 2])) == pytest.approx(0.0, abs=1e-6)
    near = distill_loss(torch.tensor([2.0, 0.0, 1.0, 1.0, 0.0]), teacher, [3, 2])
    far = distill_loss(torch.tensor([0.0, 3.0, 1.0, 0.0, 2.0]), teacher, [3, 2])
    assert 0.0 < float(near) < float(far)


def test_scorers_measured_the_same_way(bench: Path) -> None:
    items = build_items(load_dataset(bench), "train", progress=False)
    fig = rerank_figures(items, overlap_score, k=30)
    assert fig.n == 6 and fig.n_in_k == 6 and 0.0 <= fig.top1 <= 1.0
    lr = FeatureRanker()  # no embedder: cosine is 0 for all
    lr.fit(items)
    assert len(lr.score(items[0].question, list(items[0].sentences[:5]))) == 5
    text = format_rows([{"scorer": "overlap", **fig.row(), "ms_per_30_pairs": 0.1}])
    assert text.splitlines()[1].startswith("overlap")


# ----------------------------------------------------------------------------- training


def test_training_writes_a_loadable_model_with_its_card(trained: Path) -> None:
    names = {p.name for p in trained.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "meta.json", "README.md"} <= names
    assert not any(p.name.startswith(".ranker-") for p in trained.parent.iterdir())
    meta = json.loads((trained / "meta.json").read_text())
    assert meta["layers"] == 1 and meta["max_length"] == 32
    assert meta["training"]["config"]["negatives"] == 3
    assert meta["training"]["fit_questions"] + meta["training"]["held_out_questions"] == 6
    assert len(meta["training"]["history"]) == 2
    assert {r["scorer"] for r in meta["dev"]["rows"]} == {"overlap", "evidence-ranker"}
    card = (trained / "README.md").read_text()
    for part in ("## Training data and split", "## Dev figures", "qa train --data tiny"):
        assert part in card
    scores = CrossEncoderReranker(trained).score("Who won the chess final?", ["A.", "B c d."])
    assert len(scores) == 2 and all(isinstance(s, float) for s in scores)


def test_training_is_deterministic_given_a_seed(bench: Path, trained: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    random.seed(999)  # the run seeds everything itself: outside state does not leak in
    torch.manual_seed(999)
    train_ranker(bench, again, TINY, progress=False, dev=False)
    assert (again / "model.safetensors").read_bytes() == (
        trained / "model.safetensors"
    ).read_bytes()


def test_a_failed_run_leaves_the_old_model(bench: Path, tmp_path: Path) -> None:
    out = tmp_path / "ranker"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    with pytest.raises(ValueError, match="layers"):
        train_ranker(bench, out, TrainConfig(layers=9), progress=False)
    assert (out / "keep.txt").read_text() == "old"


def test_a_student_starts_from_its_teacher(bench: Path, trained: Path, tmp_path: Path) -> None:
    # at a learning rate too small to move a weight, the student is the teacher's layer and
    # head: it scores as the teacher does; its card names the teacher
    still = dataclasses.replace(TINY, epochs=1, lr=1e-12, teacher=str(trained), distill=1.0)
    student = train_ranker(bench, tmp_path / "student", still, progress=False, dev=False).folder
    meta = json.loads((student / "meta.json").read_text())
    assert meta["training"]["config"]["teacher"] == str(trained) and meta["kept_layers"] == [0]
    pair = ("Who won the chess final?", ["Tomas Reyes won the chess final.", "Fans came."])
    assert CrossEncoderReranker(student).score(*pair) == pytest.approx(
        CrossEncoderReranker(trained).score(*pair), abs=0.02
    )
    moved = dataclasses.replace(still, lr=1e-3)
    other = train_ranker(bench, tmp_path / "moved", moved, progress=False, dev=False).folder
    assert CrossEncoderReranker(other).score(*pair) != pytest.approx(
        CrossEncoderReranker(trained).score(*pair), abs=0.02
    )


def test_qa_train_cli_runs_and_reports(
    bench: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = tmp_path / "models"
    args = ["train", "--data", str(bench), "--out", str(models), "--layers", "1", "--epochs", "1"]
    args += ["--parts", "ranker", "--max-length", "32", "--negatives", "2", "--quiet", "--no-dev"]
    assert main(args) == 0
    assert "Trained the evidence ranker" in capsys.readouterr().out
    out = models / "evidence-ranker"
    assert (out / "meta.json").is_file() and (out / "README.md").is_file()
    assert main(["train", "--data", str(bench), "--parts", "ranker,magic", "--quiet"]) == 2
    assert "Unknown part" in capsys.readouterr().err
    assert main(["train", "--data", str(tmp_path / "nowhere"), "--quiet"]) == 2
    assert "realtimeqa data not found" in capsys.readouterr().err
    (out / "keep.txt").write_text("old")
    no_teacher = ["--teacher", str(tmp_path / "no-teacher"), "--out", str(models)]
    assert main(["train", "--data", str(bench), "--parts", "ranker", "--quiet", *no_teacher]) == 2
    err = capsys.readouterr().err
    assert "is not an exported ranker" in err and "qa/models/evidence-ranker" in err
    assert (out / "keep.txt").read_text() == "old"


def test_frontier_variants_leave_out_the_weeks_qa_train_does(bench: Path, tmp_path: Path) -> None:
    from eval.ranker_frontier import run_variant

    items = build_items(load_dataset(bench), "train", progress=False)
    tiny = {**dataclasses.asdict(TINY), "epochs": 1, "exclude_weeks": ("20240105",)}
    rows = run_variant("v", tiny, items, items[:2], tmp_path, ["fp32"], [])
    assert [r["train_questions"] for r in rows] == [4]  # 6 questions, 2 in the left-out week


def test_the_frontier_tool_names_a_missing_benchmark_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eval.ranker_frontier import main as frontier

    results = tmp_path / "f.json"
    assert frontier(["--data", str(tmp_path / "absent"), "--results", str(results)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: realtimeqa data not found at") and "--data PATH" in err
    assert "\n" not in err and not results.exists()
