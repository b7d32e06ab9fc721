"""The benchmark runner end to end on a tiny question file, and the pieces it grades with."""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from eval.questions import Question, load_questions
from eval.report import compare_baseline, format_table, publish
from eval.run import EvalConfig, grade, run_eval, strip_framing
from eval.systems import SYSTEMS, NaiveSystem, Output, Retrieved
from index.config import IndexSettings
from index.errors import UserError
from index.ingest import load_corpus
from qa.cli import main
from qa.settings import Settings
from qa.types import Answer, Citation
from tests.conftest import SEEDS
from tests.fakes import FakeEmbedder

REPO = Path(__file__).resolve().parents[2]
TINY = ("sf-02", "tm-05", "of-03", "fp-01")  # one answerable, temporal, off-topic, false premise


@pytest.fixture(scope="module")
def tiny_questions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    picked = [line for line in lines if line.strip() and json.loads(line)["id"] in TINY]
    assert len(picked) == len(TINY)
    path = tmp_path_factory.mktemp("questions") / "tiny.jsonl"
    path.write_text("\n".join(picked) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(tiny_questions: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("eval-work")
    config = EvalConfig(questions=tiny_questions, corpus_dir=SEEDS, progress=False, work_dir=work)
    return run_eval(config, Settings(data_dir=work / "unused"), embedder=FakeEmbedder())


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    return {a.id: a.body for a in load_corpus(SEEDS, IndexSettings()).articles}


def test_every_system_gets_every_metric(report: dict[str, Any]) -> None:
    assert list(report["clean"]) == list(SYSTEMS)
    for name, row in report["clean"].items():
        metrics = row["metrics"]
        for key in (
            "accuracy",
            "f1",
            "gold_cited",
            "citation_recall",
            "citation_precision",
            "rejection",
            "false_refusal",
            "false_premise_handled",
            "temporal_accuracy",
            "stale_rate",
            "art_hit@1",
            "art_recall@5",
            "art_mrr@10",
            "art_ndcg@10",
            "ev_hit@1",
            "ev_mrr@10",
            "ev_ndcg@10",
            "latency_p50_ms",
            "latency_p95_ms",
        ):
            assert key in metrics, (name, key)
        assert [r["id"] for r in row["questions"]] == list(TINY)
    assert report["clean"]["product"]["metrics"]["latency_evidence_p50_ms"] is not None
    assert report["clean"]["naive"]["metrics"]["latency_retrieve_p50_ms"] is not None
    assert report["clean_chunks"] > 0


def test_chunk_answer_systems_never_abstain_on_a_question_with_words_they_know(
    report: dict[str, Any],
) -> None:
    for name in ("dense", "hybrid", "naive"):
        assert report["clean"][name]["metrics"]["rejection"] == 0.0
        for rec in report["clean"][name]["questions"]:
            assert not rec["abstained"] and rec["cited"], (name, rec["id"])


def test_publish_writes_json_markdown_and_chart(report: dict[str, Any], tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    result = publish(report, tmp_path / "reports", baseline, update_baseline=True)
    assert result.exit_code == 0
    files = {p.name for p in result.report_dir.iterdir()}
    assert files == {"report.json", "report.md", "chart.png"}
    data = json.loads((result.report_dir / "report.json").read_text(encoding="utf-8"))
    assert {"clean", "n_questions", "judge_agreement", "regressions", "created"} <= set(data)
    assert (result.report_dir / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (result.report_dir / "report.md").read_text(encoding="utf-8")
    assert "| accuracy |" in md and "| metric | bm25 | dense | hybrid | product | naive |" in md
    saved = json.loads(baseline.read_text(encoding="utf-8"))
    assert saved["system"] == "product"
    assert saved["metrics"]["accuracy"] == pytest.approx(
        report["clean"]["product"]["metrics"]["accuracy"], abs=1e-4
    )
    assert "latency_p50_ms" not in saved["metrics"]
    for name in SYSTEMS:
        assert name in result.text


def test_floors_fail_with_a_message(report: dict[str, Any], tmp_path: Path) -> None:
    ok = publish(report, tmp_path, tmp_path / "b.json", floors={"accuracy": 0.0})
    assert ok.exit_code == 0
    bad = publish(
        report, tmp_path, tmp_path / "b.json", floors={"accuracy": 0.0, "citation_precision": 1.01}
    )
    assert bad.exit_code == 1
    assert "FAIL: citation_precision" in bad.text and "--min-citation-precision" in bad.text
    assert "FAIL: accuracy" not in bad.text


def test_a_drop_against_the_baseline_is_flagged(report: dict[str, Any], tmp_path: Path) -> None:
    product = report["clean"]["product"]["metrics"]
    worse_than_before = dict(product, accuracy=product["accuracy"] + 0.1)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"metrics": worse_than_before}), encoding="utf-8")
    result = publish(report, tmp_path, baseline)
    assert [r.metric for r in result.regressions] == ["accuracy"]
    assert "REGRESSION vs baseline: accuracy" in result.text
    product_line = next(line for line in result.text.splitlines() if line.startswith("product"))
    assert "!" in product_line
    same = dict(product, accuracy=product["accuracy"] + 0.01)  # within tolerance
    assert compare_baseline(product, same) == []
    assert compare_baseline({"false_refusal": 0.2}, {"false_refusal": 0.1})[0].metric == (
        "false_refusal"
    )


def test_qa_eval_command_exits_1_below_a_floor(
    tiny_questions: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from index import embed

    monkeypatch.setitem(embed.EMBEDDERS, "fake", lambda s: FakeEmbedder())
    monkeypatch.setenv("QA_EMBED_BACKEND", "fake")
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "data"))
    args = [
        "eval",
        "--systems",
        "product",
        "--questions",
        str(tiny_questions),
        "--corpus",
        str(SEEDS),
        "--reports",
        str(tmp_path / "r"),
        "--baseline",
        str(tmp_path / "b.json"),
        "--quiet",
    ]
    assert main([*args, "--min-rejection", "1.01"]) == 1
    out = capsys.readouterr().out
    assert "FAIL: rejection" in out and "--min-rejection" in out
    assert out.splitlines()[1].split()[0] == "system"
    assert [line.split()[0] for line in out.splitlines()[2:3]] == ["product"]


def test_unknown_system_names_the_choices() -> None:
    with pytest.raises(UserError, match="choose from: bm25,dense,hybrid,product,naive"):
        EvalConfig(systems=("product", "bm42"))


def test_naive_system_returns_chunk_answers_with_article_ids() -> None:
    corpus = load_corpus(SEEDS, IndexSettings()).articles
    bodies = {a.id: a.body for a in corpus}
    naive = NaiveSystem(corpus, FakeEmbedder(), top_k=4)
    out = naive.answer("Where did John Kerry meet the Venezuelan foreign minister Elías Jaua?")
    a = out.answer
    assert not a.abstained and len(a.citations) == 1
    best = a.citations[0]
    assert best.article_id in bodies
    assert bodies[best.article_id][best.start : best.end] == best.quote
    assert a.text.endswith("[1]") and len(a.text) > 200  # a whole default-size chunk
    assert 1 <= len(out.retrieved) <= 4
    assert {r.article_id for r in out.retrieved} <= set(bodies)
    assert naive.n_chunks >= len(corpus)


def _answer(text: str, article: str, quote: str, kind: str = "body") -> Output:
    cite = Citation(1, article, "T", "2013-06", quote, 0, len(quote), kind)  # type: ignore[arg-type]
    return Output(Answer(text=text, citations=(cite,)), (Retrieved(article, kind, quote),))


def _question(qid: str) -> Question:
    return next(q for q in load_questions(REPO / "eval" / "questions.jsonl") if q.id == qid)


def test_false_premise_repeated_is_not_handled(articles: dict[str, str]) -> None:
    q = _question("fp-01")  # "... in Havana?"; the meeting was in Antigua, Guatemala
    judge = lambda claim, passage: True  # noqa: E731
    quote = "They met in Antigua, Guatemala."
    right = grade(
        q, _answer("They met in Antigua, Guatemala. [1]", q.articles[0], quote), judge, articles
    )
    repeated = grade(
        q, _answer("In Havana and Antigua. [1]", q.articles[0], quote), judge, articles
    )
    assert right["premise_terms"] == ["havana"]
    assert right["false_premise_handled"] == 1.0
    assert repeated["repeats_premise"] and repeated["false_premise_handled"] == 0.0


def test_evidence_counts_only_when_the_gold_sentence_lies_within_the_span(
    articles: dict[str, str],
) -> None:
    q = _question("sf-03")
    aid = q.articles[0]
    evidence = q.evidence[0].text
    judge = lambda claim, passage: True  # noqa: E731
    inside = grade(
        q, _answer(f"{evidence} [1]", aid, f"Before. {evidence} After."), judge, articles
    )
    partial = grade(
        q, _answer("Tim Tracy. [1]", aid, evidence[: len(evidence) // 2]), judge, articles
    )
    assert inside["ev_hit@1"] == 1.0 and inside["art_hit@1"] == 1.0
    assert partial["ev_hit@1"] == 0.0 and partial["art_hit@1"] == 1.0


def test_comment_only_needs_abstention_or_a_comment_label(articles: dict[str, str]) -> None:
    q = _question("co-04")
    aid = q.comment_evidence[0].article
    quote = q.comment_evidence[0].text
    judge = lambda claim, passage: True  # noqa: E731
    as_fact = grade(q, _answer(f"{quote} [1]", aid, quote, "comment"), judge, articles)
    labelled = grade(
        q,
        _answer(
            f"A reader comment (opinion, not reported fact) says: “{quote}” [1]",
            aid,
            quote,
            "comment",
        ),
        judge,
        articles,
    )
    assert as_fact["comment_only_handled"] == 0.0
    assert labelled["comment_only_handled"] == 1.0


def test_framing_is_stripped_but_claims_are_kept() -> None:
    assert strip_framing("As of Mar 2026: Ties were restored. (in January = Jan 2026)") == (
        "Ties were restored."
    )
    assert strip_framing("As of date unknown: Fires burned.") == "Fires burned."
    kept = "Talks (held in Qatar = a neutral venue) began."
    assert strip_framing(kept) == kept


def test_table_marks_flagged_cells() -> None:
    text = format_table(
        {"product": {"accuracy": 0.9, "rejection": None}},
        [("accuracy", "acc"), ("rejection", "rej")],
        {"product": {"accuracy"}},
    )
    assert text.splitlines()[1].split() == ["product", "0.900!", "-"]


@pytest.mark.parametrize("name", ["eval.run", "eval.report", "eval.systems"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_ablation_rows_are_known_systems_and_typos_are_named() -> None:
    from eval.run import EvalConfig
    from index.errors import UserError

    assert EvalConfig(systems=("product", "product-no-bridges+anchors")).systems[1]
    with pytest.raises(UserError, match="magic"):
        EvalConfig(systems=("product-no-magic",))
    with pytest.raises(UserError, match="product-no-<mechanism>"):
        EvalConfig(systems=("produkt",))
