"""The benchmark's parts: real-text corpora, exact search and recall, the vector cache, and
one tiny end-to-end run with a fake embedder (measures nothing; checks what it writes)."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import json
import random
from pathlib import Path

import numpy as np
import pytest

from eval.bench import BenchConfig, run_bench, sentence_queries
from eval.bench_cache import CachedEmbedder
from eval.bench_report import format_tables
from eval.bench_search import exact_top_k, recall_at_k, summarize
from eval.scale import load_sources, write_corpus
from index.chunk import chunk_article
from index.config import IndexSettings
from index.ingest import load_corpus
from qa.cli import build_parser
from qa.settings import Settings
from tests.fakes import FakeEmbedder

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
pytest.importorskip("gensim", reason="the bench corpus needs gensim's ABC articles")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "corpus"
    write_corpus(folder, 900, IndexSettings(), SEEDS, seed=3)
    return folder


def test_corpus_reaches_the_size_with_distinct_ids_and_content(corpus: Path) -> None:
    settings = IndexSettings()
    loaded = load_corpus(corpus, settings)
    ids = [a.id for a in loaded.articles]
    assert len(ids) == len(set(ids))
    assert loaded.duplicates == () and loaded.warnings == ()
    assert any(i.startswith("gen_") for i in ids), "900 chunks needs generated articles"
    chunks = sum(len(chunk_article(a)) for a in loaded.articles)
    assert chunks >= 900
    assert {p.stem for p in SEEDS.glob("*.txt")} <= set(ids)


def test_generated_articles_are_made_of_real_paragraphs(corpus: Path) -> None:
    real = {p for s in load_sources(SEEDS, IndexSettings()) for p in s.paragraphs}
    generated = [
        a for a in load_corpus(corpus, IndexSettings()).articles if a.id.startswith("gen_")
    ]
    for article in generated[:50]:
        paras = article.body.split("\n\n")
        assert len(paras) >= 3
        assert all(p in real for p in paras), article.id
        assert article.published  # the dateline is read like any other


def test_corpus_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = write_corpus(tmp_path / "a", 400, IndexSettings(), None, seed=5)
    b = write_corpus(tmp_path / "b", 400, IndexSettings(), None, seed=5)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert a.chunks == b.chunks
    assert all((tmp_path / "a" / n).read_text() == (tmp_path / "b" / n).read_text() for n in names)


def test_exact_top_k_agrees_with_a_full_sort() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 16)).astype(np.float32)
    query = rng.normal(size=16).astype(np.float32)
    want = np.argsort(-(vectors @ query))[:10]
    assert exact_top_k(vectors, query, 10).tolist() == want.tolist()
    assert exact_top_k(vectors, query, 1000).shape == (500,)
    assert exact_top_k(vectors[:0], query, 5).size == 0


def test_recall_counts_the_exact_neighbours_found() -> None:
    exact = [f"c{i}" for i in range(10)]
    assert recall_at_k(exact, exact, 10) == 1.0
    assert recall_at_k([*exact[:8], "x", "y"], exact, 10) == 0.8
    assert recall_at_k(list(reversed(exact)), exact, 10) == 1.0  # order inside top k is free
    assert recall_at_k(["x"], [], 10) == 1.0


def test_summary_percentiles() -> None:
    s = summarize([float(x) for x in range(1, 101)])
    assert s["n"] == 100 and s["p50"] == pytest.approx(50.5) and s["p95"] == pytest.approx(95.05)
    assert summarize([]) == {"n": 0}


def test_vector_cache_reuses_vectors_across_instances(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    first = CachedEmbedder(fake, tmp_path, "n100")
    got = first.embed(["alpha beta", "gamma delta", "alpha beta"])
    first.save()
    assert (first.hits, first.misses) == (0, 3) and fake.embedded == 2
    second = CachedEmbedder(FakeEmbedder(), tmp_path, "n100")
    assert second.covers(["gamma delta"]) and not second.covers(["new text"])
    again = second.embed(["gamma delta", "alpha beta"])
    assert (second.hits, second.misses) == (2, 0)
    np.testing.assert_array_equal(again, got[[1, 0]])
    other_model = CachedEmbedder(FakeEmbedder(model_id="other"), tmp_path, "n100")
    assert not other_model.covers(["alpha beta"])


def test_sentence_queries_are_distinct_real_words(corpus: Path) -> None:
    articles = load_corpus(corpus, IndexSettings()).articles
    chunks = [c for a in articles for c in chunk_article(a)]
    queries = sentence_queries(chunks, 20, random.Random(1))
    assert len(queries) == len(set(queries)) == 20
    text = " ".join(" ".join(c.text.split()) for c in chunks)
    assert all(q in text for q in queries)


def test_bench_runs_end_to_end_and_writes_its_report(tmp_path: Path) -> None:
    config = BenchConfig(
        sizes=(150,),
        queries=2,
        recall_queries=3,
        warmup=1,
        cache_dir=tmp_path / "cache",
        reports_dir=tmp_path / "reports",
        work_dir=tmp_path / "not" / "yet",  # made by the run
    )
    result = run_bench(config, Settings(data_dir=tmp_path / "data"), FakeEmbedder())
    written = json.loads((Path(result["report_dir"]) / "bench.json").read_text())
    assert {"model", "machine", "config", "sizes", "targets"} <= set(written)
    (size,) = written["sizes"]
    assert size["chunks"] >= 150 and size["indexing"]["chunks_indexed"] == size["chunks"]
    assert size["indexing"]["reindex_embedded"] == 0
    assert size["indexing"]["vectors_from_cache"] is False
    for path in ("ask", "retrieval", "limit", "bm25", "dense", "naive"):
        assert size["query"][path]["n"] == 2, path
    assert 0.0 <= size["recall_hnsw"]["mean"] <= 1.0 and size["recall_hnsw"]["queries"] == 3
    assert size["naive"]["nodes"] > 0
    slowest = size["query"]["slowest"]  # what the p95 is made of: each ask, slowest first
    assert len(slowest) == 2 and slowest[0]["ms"] >= slowest[1]["ms"]
    assert abs(slowest[0]["ms"] - size["query"]["ask"]["max"]) <= 0.05
    assert all(s["question"] and "total" in s["stages"] for s in slowest)
    assert result["plot"] is None or Path(result["plot"]).is_file()
    tables = format_tables(result)
    assert "QUERY" in tables and repr(slowest[0]["question"][:60]) in tables

    rerun = dataclasses.replace(config, naive=False)
    again = run_bench(rerun, Settings(data_dir=tmp_path / "data"), FakeEmbedder())
    indexing = again["sizes"][0]["indexing"]
    assert indexing["vectors_from_cache"] is True
    assert indexing["last_uncached"]["index_chunks_per_s"] > 0
    assert "cache" in format_tables(again)


def test_cli_parses_bench_sizes() -> None:
    args = build_parser().parse_args(["bench", "--sizes", "1k,10000", "--chroma-server"])
    assert args.sizes == (1000, 10000) and args.chroma_server
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--sizes", "ten"])


@pytest.mark.parametrize(
    "name",
    ["eval.scale", "eval.bench", "eval.bench_search", "eval.bench_cache", "eval.bench_report"],
)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
