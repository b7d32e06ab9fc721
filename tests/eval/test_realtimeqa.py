"""``qa eval --benchmark realtimeqa`` on a tiny benchmark folder written by the tests."""

from __future__ import annotations

import doctest
import importlib
import json
import lzma
from pathlib import Path
from typing import Any

import pytest

from eval.realtimeqa import data as d
from eval.realtimeqa.report import publish_realtimeqa
from eval.realtimeqa.run import RtqaConfig, date_agreement, run_realtimeqa
from eval.realtimeqa.score import error_class, grade, qword, right, strict
from eval.systems import Output, Retrieved
from index.ingest import load_corpus
from qa.cli import main
from qa.settings import Settings
from qa.types import Answer, Citation

PAGES = [
    ("p1", "Springfield elects a mayor", "2025/01/02", "https://news.example/2025/01/02/mayor",
     "Ann Lee won the Springfield mayoral election on Tuesday, beating Bob Stone by 900 votes. "
     "Turnout was low."),
    ("p2", "Weather in Springfield", "2025/01/02", "https://news.example/weather",
     "Snow is expected in Springfield this weekend. Roads may close."),
    ("p3", "Acme Foods sold", "2025/01/09", "https://biz.example/2025/01/09/acme",
     "Globex bought Acme Foods for $2 billion, the companies said on Monday."),
    ("p4", "Rivertown Rockets news", "2025/01/16", "https://sport.example/rockets",
     "Zed Quinn was named coach of the Rivertown Rockets."),
    ("p5", "Summit ends", None, "https://world.example/summit",
     "Norway hosted the Arctic summit this week."),
]  # fmt: skip

QUESTIONS = [  # (id, week, question, choices, answer, answer_in_pages, pages)
    ("w1_0", "20250103", "Who won the Springfield mayoral election?",
     ["Ann Lee", "Bob Stone", "Cy Park", "Dee Moss"], "Ann Lee", True, ["p1", "p2"]),
    ("w2_0", "20250110", "Which company bought Acme Foods?",
     ["Initech", "Globex", "Hooli", "Umbrella"], "Globex", True, ["p3"]),
    ("w2_1", "20250110", "What did Acme Foods' founder say?",
     ["Yes", "No", "Maybe", "Later"], "Later", False, ["p3"]),
    ("w3_0", "20250117", "Who was named coach of the Rivertown Rockets?",
     ["Zed Quinn", "Al Roe", "Bo Ek", "Di Fo"], "Zed Quinn", True, ["p4"]),
    ("w4_0", "20250124", "Which country hosted the Arctic summit?",
     ["Norway", "Chile", "Peru", "Laos"], "Norway", True, ["p5"]),
    ("w4_1", "20250124", "Who lost the Springfield mayoral election?",
     ["Bob Stone", "Cy Park", "Dee Moss", "Ed Ott"], "Bob Stone", False, ["p1"]),
]  # fmt: skip


def write_benchmark(folder: Path) -> Path:
    """A benchmark folder in the real layout: pages.jsonl.xz, train.jsonl, dev.jsonl."""
    folder.mkdir(parents=True, exist_ok=True)
    with lzma.open(folder / d.PAGES_FILE, "wt", encoding="utf-8") as f:
        for pid, title, date, url, text in PAGES:
            row = {"id": pid, "url": url, "title": title, "text": text}
            if date:
                row["publish_date"] = date
            f.write(json.dumps(row) + "\n")
    for split in d.SPLITS:
        with (folder / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for qid, week, question, choices, answer, inside, pages in QUESTIONS:
                row = {"id": qid, "week": week, "question_date": week, "question": question,
                       "choices": choices, "answer": answer, "answer_in_pages": inside,
                       "pages": pages}  # fmt: skip
                f.write(json.dumps(row) + "\n")
    return folder


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_benchmark(tmp_path_factory.mktemp("rtqa") / "data")


@pytest.fixture(scope="module")
def run(
    bench: Path, tmp_path_factory: pytest.TempPathFactory, real_embedder: Any
) -> tuple[dict[str, Any], RtqaConfig, Settings]:
    work = tmp_path_factory.mktemp("rtqa-work")
    config = RtqaConfig(data=bench, weeks=2, weeks_from="20250103", work_dir=work, progress=False)
    settings = Settings(data_dir=work / "unused")
    return run_realtimeqa(config, settings, embedder=real_embedder), config, settings


# ----------------------------------------------------------------------------- data


def test_missing_folder_is_one_line_naming_the_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    code = main(["eval", "--benchmark", "realtimeqa", "--data", str(missing), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert str(missing) in err and "--data" in err


def test_unreadable_data_is_one_line_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_benchmark(tmp_path / "data")
    (folder / d.PAGES_FILE).write_bytes(b"not xz at all")
    code = main(["eval", "--benchmark", "realtimeqa", "--data", str(folder), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "unreadable" in err


def test_weeks_from_after_the_last_week_says_which_weeks_exist() -> None:
    with pytest.raises(d.UserError, match="20250103-20250124"):
        d.blocks(["20250103", "20250124"], 2, start="20260101")


def test_corpus_files_are_what_a_user_would_drop(bench: Path, tmp_path: Path) -> None:
    ds = d.load_dataset(bench)
    pages = d.block_pages(ds.questions("dev")[:2], ds.pages)
    assert [p.id for p in pages] == ["p1", "p2", "p3"]  # each once, in order of mention
    folder = tmp_path / "corpus"
    assert d.write_corpus(pages, folder) == 3
    assert (
        (folder / "p1.txt")
        .read_text(encoding="utf-8")
        .startswith("Springfield elects a mayor\n\nAnn Lee won")
    )
    assert d.write_corpus(pages, folder) == 0  # same text: nothing rewritten
    corpus = load_corpus(folder, Settings())
    assert {a.id for a in corpus.articles} == {"p1", "p2", "p3"}
    assert {a.title for a in corpus.articles} >= {"Springfield elects a mayor"}
    d.write_corpus(pages[:1], folder)  # a smaller block: the other files go
    assert sorted(p.name for p in folder.iterdir()) == ["p1.txt"]


def test_with_dates_gives_the_scrapers_date_as_metadata(bench: Path, tmp_path: Path) -> None:
    ds = d.load_dataset(bench)
    pages = [ds.pages[p] for p in ("p1", "p5")]  # p5 has no publish_date
    d.write_corpus(pages, tmp_path, with_dates=True)
    articles = {a.id: a for a in load_corpus(tmp_path, Settings()).articles}
    assert articles["p1"].published == "2025-01-02"
    assert articles["p1"].date_source == "catalog"
    assert articles["p5"].published is None
    d.write_corpus(pages, tmp_path, with_dates=False)
    assert not (tmp_path / "catalog.toml").exists()


def test_negatives_are_questions_whose_answer_is_nowhere_in_the_corpus(bench: Path) -> None:
    ds = d.load_dataset(bench)
    qs = ds.questions("dev")
    inside = {"20250103", "20250110"}
    pages = d.block_pages([q for q in qs if q.week in inside], ds.pages)
    corpus = " ".join(d.fold(p.title + "\n" + p.text) for p in pages)
    others = [q for q in qs if q.week not in inside]
    chosen = d.select_negatives(others, corpus, 10, seed="x")
    # "Bob Stone" (w4_1) is in p1, so that question is answerable from this corpus
    assert [q.id for q in chosen] == ["w3_0", "w4_0"]
    one = d.select_negatives(others, corpus, 1, seed="x")
    assert one == d.select_negatives(others, corpus, 1, seed="x")  # reproducible
    draws = {d.select_negatives(others, corpus, 1, seed=s)[0].id for s in "abcdefgh"}
    assert draws == {"w3_0", "w4_0"}  # the seed draws, among the eligible only


def test_gold_pages_hold_the_answer(bench: Path) -> None:
    ds = d.load_dataset(bench)
    folded = {pid: d.fold(p.title + "\n" + p.text) for pid, p in ds.pages.items()}
    q = ds.questions("dev")[0]
    assert d.gold_pages(q, folded) == {"p1"}


def test_blocks_cover_every_week_from_the_newest() -> None:
    weeks = [f"w{i}" for i in range(1, 8)]
    got = d.blocks(weeks, 3, every=True)
    assert got == [("w5", "w6", "w7"), ("w2", "w3", "w4"), ("w1",)]
    assert sorted(w for b in got for w in b) == weeks


# ----------------------------------------------------------------------------- scoring


def _q(answer: str = "Ann Lee", choices: tuple[str, ...] = ("Ann Lee", "Bob", "Cy", "Dee")) -> Any:
    return d.RtQuestion("1", "w", "", "Who?", choices, answer, True, ("p1",))


def test_folding_ignores_case_accents_and_punctuation() -> None:
    assert right("It was ANN LÉE!", _q())
    assert right("Ann-Lee's win [1]", _q("Ann Lee"))  # dash read as space, possessive dropped
    assert not right("Annlee", _q())
    assert not right("Anne Lee", _q())  # whole words only


def test_a_long_answer_naming_every_choice_is_right_but_not_strict() -> None:
    text = "Candidates were Ann Lee, Bob, Cy and Dee. [1]"
    assert right(text, _q()) and not strict(text, _q())


def test_strict_does_not_count_a_choice_inside_the_correct_one() -> None:
    q = _q("Joe Biden", ("Joe Biden", "Biden", "Trump", "Obama"))
    assert strict("Joe Biden said so.", q)
    assert not strict("Joe Biden said so, and so did Biden.", q)


def _out(text: str, cited: tuple[str, ...] = (), retrieved: tuple[str, ...] = (),
         abstained: bool = False) -> Output:  # fmt: skip
    cites = tuple(Citation(i, a, "T", None, "q", 0, 1) for i, a in enumerate(cited, start=1))
    answer = Answer(text=text, citations=cites, abstained=abstained)
    return Output(answer, tuple(Retrieved(a, "body", "x") for a in retrieved))


def test_grade_and_error_classes() -> None:
    q = _q()
    ok = grade(q, _out("Ann Lee won [1]", ("p1",), ("p1", "p2")), {"p1"}, positive=True)
    assert (ok["accuracy"], ok["strict"], ok["gold_cited"], ok["error"]) == (1.0, 1.0, 1.0, None)
    assert ok["em"] is None  # the system gives no short answers
    wrong_sentence = grade(q, _out("Bob spoke [1]", ("p1",), ("p1",)), {"p1"}, positive=True)
    assert wrong_sentence["error"] == "answered from the gold page, without the answer"
    refused = grade(q, _out("Not found.", (), ("p2",), abstained=True), {"p1"}, positive=True)
    assert refused["refused"] == 1.0 and refused["accuracy"] == 0.0
    assert refused["error"] == "refused, gold page not retrieved"
    neg = grade(q, _out("Ann Lee [1]", ("p1",)), set(), positive=False)
    assert neg["rejected"] == 0.0 and "accuracy" not in neg
    assert error_class(neg) == "answered an unanswerable question"


def test_exact_match_needs_the_short_answer_to_equal_the_choice() -> None:
    q = _q()
    out = _out("Ann Lee won the race [1]", ("p1",))
    assert grade(q, out, {"p1"}, True, short="ann lee", gives_short=True)["em"] == 1.0
    assert grade(q, out, {"p1"}, True, short="Ann Lee won", gives_short=True)["em"] == 0.0
    assert grade(q, out, {"p1"}, True, short=None, gives_short=True)["em"] == 0.0


def test_question_words() -> None:
    assert qword("Which country's ships were seized?") == "which"
    assert qword("According to the report, who resigned?") == "who"
    assert qword("How many people died?") == "how many"
    assert qword("Name the winner.") == "other"


def test_date_agreement_counts_a_scraper_date_the_url_contradicts(bench: Path) -> None:
    from index.types import Article

    ds = d.load_dataset(bench)
    pages = [ds.pages["p1"], ds.pages["p3"], ds.pages["p2"]]

    def art(pid: str, published: str | None) -> Article:
        return Article(pid, "T", published, "dateline" if published else "unknown", None, "x")

    arts = {"p1": art("p1", "2025-01-02"), "p3": art("p3", "2025-01-08"), "p2": art("p2", None)}
    got = date_agreement(pages, arts)
    assert got["pages"] == 3 and got["both_dated"] == 2
    assert got["same_day"] == 0.5 and got["same_month"] == 1.0
    assert got["scraper_wrong"] == 0  # p3's URL says 01/09, as the scraper does
    assert got["disagreements"][0]["url_date"] == "2025-01-09"


# ----------------------------------------------------------------------------- a real run


def test_a_run_indexes_the_block_and_grades_every_system(
    run: tuple[dict[str, Any], RtqaConfig, Settings],
) -> None:
    report, _, _ = run
    (block,) = report["blocks"]
    assert block["weeks"] == ["20250103", "20250110"]
    assert (block["pages"], block["articles"]) == (3, 3)
    assert (block["n_positive"], block["n_negative"]) == (2, 2)
    assert set(report["summary"]) == set(report["systems"]) == set(block["systems"])
    for name, result in block["systems"].items():
        ids = [r["id"] for r in result["questions"]]
        assert ids == ["w1_0", "w2_0", "w3_0", "w4_0"], name
    best = {r["id"]: r for r in block["systems"]["best_sentence"]["questions"]}
    assert best["w1_0"]["accuracy"] == 1.0 and best["w1_0"]["cited"] == ["p1"]
    assert best["w3_0"]["rejected"] == 0.0  # the floor never abstains
    product = {r["id"]: r for r in block["systems"]["product"]["questions"]}
    assert product["w2_0"]["accuracy"] == 1.0 and product["w2_0"]["gold_cited"] == 1.0
    assert block["dates"]["pages"] == 3


def test_a_rerun_indexes_nothing_again(
    run: tuple[dict[str, Any], RtqaConfig, Settings], real_embedder: Any
) -> None:
    _, config, settings = run
    again = run_realtimeqa(config, settings, embedder=real_embedder)
    assert again["blocks"][0]["embedded_chunks"] == 0


def test_publish_writes_the_report_and_compares_with_its_baseline(
    run: tuple[dict[str, Any], RtqaConfig, Settings], tmp_path: Path
) -> None:
    report, config, _ = run
    baseline = tmp_path / "baseline-realtimeqa.json"
    first = publish_realtimeqa(report, tmp_path / "reports", baseline, update_baseline=True)
    assert {p.name for p in first.report_dir.iterdir()} == {
        "report.json",
        "report.md",
        "chart.png",
    }
    saved = json.loads(baseline.read_text())["runs"][config.key]
    assert saved["metrics"]["accuracy"] == round(report["summary"]["product"]["accuracy"], 4)
    worse = json.loads(json.dumps(report))
    worse["summary"]["product"]["accuracy"] = saved["metrics"]["accuracy"] - 0.2
    second = publish_realtimeqa(worse, tmp_path / "reports", baseline, floors={"accuracy": 1.01})
    assert [r.metric for r in second.regressions] == ["accuracy"]
    assert second.exit_code == 1 and "FAIL: accuracy" in second.text
    em = report["summary"]["product"]["em"]
    short = publish_realtimeqa(report, tmp_path / "reports", baseline, floors={"em": em + 0.01})
    assert short.exit_code == 1 and "--min-em" in short.text
    assert (
        publish_realtimeqa(report, tmp_path / "reports", baseline, floors={"em": em}).exit_code == 0
    )
    other_kind = dict(worse, key="dev/1w/latest")
    assert publish_realtimeqa(other_kind, tmp_path / "reports", baseline).regressions == ()


@pytest.mark.parametrize(
    "name", ["eval.realtimeqa.data", "eval.realtimeqa.score", "eval.realtimeqa.run"]
)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(("fmt", "source"), [("jsonl", "metadata"), ("markdown", "front_matter")])
def test_pages_written_as_exports_carry_the_scrapers_date(
    bench: Path, tmp_path: Path, fmt: str, source: str
) -> None:
    ds = d.load_dataset(bench)
    pages = [ds.pages[p] for p in ("p1", "p3", "p5")]
    d.write_corpus(pages, tmp_path, fmt=fmt)
    articles = {d.page_id(a.id): a for a in load_corpus(tmp_path, Settings()).articles}
    assert set(articles) == {"p1", "p3", "p5"}
    assert articles["p1"].published == "2025-01-02" and articles["p1"].date_source == source
    assert articles["p3"].url == "https://biz.example/2025/01/09/acme"
    got = date_agreement(pages, articles)
    assert got["same_day"] == 1.0
    d.write_corpus(pages[:1], tmp_path, fmt=fmt)  # a smaller block leaves no stale file
    assert len(load_corpus(tmp_path, Settings()).articles) == 1


def test_sweep_applies_each_threshold_to_the_recorded_answers() -> None:
    from eval.realtimeqa.sweep import sweep

    def rec(positive: bool, conf: float, right: bool = True) -> dict[str, object]:
        r: dict[str, object] = {"positive": positive, "abstained": False, "confidence": conf}
        if positive:
            r.update(accuracy=float(right), strict=float(right), em=None)
        return r

    block = [rec(True, 0.9), rec(True, 0.3, right=False), rec(False, 0.2), rec(False, 0.6)]
    report = {"blocks": [{"systems": {"product": {"questions": block}}}]}
    low, mid, high = sweep(report, thresholds=(0.0, 0.5, 0.95))
    assert (low["accuracy"], low["rejection"], low["false_refusal"]) == (0.5, 0.0, 0.0)
    assert (mid["accuracy"], mid["rejection"], mid["false_refusal"]) == (0.5, 0.5, 0.5)
    assert (high["accuracy"], high["rejection"], high["false_refusal"]) == (0.0, 1.0, 1.0)
    assert mid["em"] is None


def test_evidence_rows_set_the_evidence_model_side_by_side(
    run: tuple[dict[str, Any], RtqaConfig, Settings], real_embedder: Any
) -> None:
    from dataclasses import replace

    _, config, settings = run
    assert settings.evidence_model == "weights"  # so product-weights must repeat product
    again = replace(config, systems=("product", "product-weights"))
    report = run_realtimeqa(again, settings, embedder=real_embedder)  # the index is reused
    rows = report["blocks"][0]["systems"]
    answers = {name: [r["answer"] for r in rows[name]["questions"]] for name in rows}
    assert answers["product-weights"] == answers["product"]
    with pytest.raises(d.UserError, match="product-learned"):
        replace(config, systems=("product-bogus",))
