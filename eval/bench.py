"""``qa bench``: indexing and query performance at growing corpus sizes, side by side with
the physical limit (query embedding + exact numpy search) and the naive llama-index pipeline.

For each size (chunks) it writes a corpus of real news text (see ``eval.scale``), indexes it
with the real ``sync`` and measures, in one process on this machine:

- indexing: chunks/s end to end vs the raw embedding throughput on the same texts, peak RSS,
  and the time to re-index the unchanged corpus;
- query: p50/p95 of warm ``Assistant.ask``, of retrieval alone (embed + hybrid search), of
  the limit (embed + brute force) and of the naive pipeline; BM25 alone; Chroma alone;
- recall@10 of Chroma's HNSW against exact search;
- optionally the same against a local ``chroma run`` server, the cold start of ``qa ask``
  in a fresh process, and a profile of warm asks.

Chunk vectors are cached on disk (``eval.bench_cache``) so a re-run is fast; the output says
which figures came from the cache. ``run_bench(config)`` returns the result dict and writes
``bench.json`` and ``latency.png`` under ``config.reports_dir/bench-<timestamp>/``.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench_cache import CachedEmbedder, cached_embedder
from eval.bench_search import exact_top_k, recall_at_k, summarize, timed
from eval.scale import write_corpus
from index.build import sync
from index.chunk import chunk_article, split_sentences
from index.embed import Embedder
from index.ingest import load_corpus
from index.store import ChunkStore, open_store
from index.types import Chunk
from qa.assistant import Assistant
from qa.question import analyze
from qa.retrieve import Filters, HybridRetriever, bm25_search
from qa.settings import Settings

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BenchConfig:
    """What to measure. Sizes are target chunk counts."""

    sizes: tuple[int, ...] = (1000, 10000)
    queries: int = 30
    recall_queries: int = 100
    warmup: int = 3
    seeds_dir: Path | None = REPO / "seeds"
    questions_file: Path | None = REPO / "eval" / "questions.jsonl"
    cache_dir: Path = Path(".qa") / "bench-cache"
    reports_dir: Path = REPO / "eval" / "reports"
    work_dir: Path | None = None
    sample: int = 1000
    naive: bool = True
    chroma_server: bool = False
    cold_start: bool = False
    profile: bool = False
    seed: int = 13


SLOWEST = 5
"""How many of the slowest warm asks the report lists with their stage times."""
_NOT_PATHS = frozenset({"stages", "asked"})


@dataclass
class Timings:
    ask: list[float] = field(default_factory=list)
    retrieval: list[float] = field(default_factory=list)
    limit: list[float] = field(default_factory=list)
    embed: list[float] = field(default_factory=list)
    brute: list[float] = field(default_factory=list)
    dense: list[float] = field(default_factory=list)
    bm25: list[float] = field(default_factory=list)
    naive: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)
    asked: list[tuple[float, str, dict[str, float]]] = field(default_factory=list)

    def summary(self, slowest: int = SLOWEST) -> dict[str, Any]:
        """Percentiles per path and ask stage, and the ``slowest`` asks with their stages
        (what the p95 is made of)."""
        out: dict[str, Any] = {
            k: summarize(v) for k, v in asdict(self).items() if k not in _NOT_PATHS and v
        }
        out["ask_stages"] = {k: summarize(v) for k, v in self.stages.items()}
        out["slowest"] = [
            {"question": q, "ms": round(ms, 1), "stages": {k: round(v, 1) for k, v in st.items()}}
            for ms, q, st in sorted(self.asked, key=lambda a: -a[0])[:slowest]
        ]
        return out


# -- resources ---------------------------------------------------------------------------------
def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mb()


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "loadavg": list(os.getloadavg()),
        "python": sys.version.split()[0],
        "platform": sys.platform,
    }


# -- queries -----------------------------------------------------------------------------------
def sentence_queries(chunks: Sequence[Chunk], n: int, rng: random.Random) -> list[str]:
    """``n`` distinct queries made of the first words (at most 12) of random real sentences."""
    out: dict[str, None] = {}
    bodies = [c for c in chunks if c.kind == "body"] or list(chunks)
    for _ in range(n * 20):
        if len(out) >= n or not bodies:
            break
        c = rng.choice(bodies)
        spans = split_sentences(c.text)
        if not spans:
            continue
        s, e = rng.choice(spans)
        words = c.text[s:e].split()[:12]
        if len(words) >= 4:
            out[" ".join(words).rstrip(".,;:")] = None
    return list(out)


def real_questions(path: Path | None) -> list[str]:
    """The ``question`` field of each line of a JSONL file (none when it is missing)."""
    if path is None or not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line).get("question")
            if isinstance(q, str) and q.strip():
                out.append(q)
    return out


def _embed_one(embedder: Embedder, text: str) -> np.ndarray:
    return embedder.embed([text])[0]


# -- one size ----------------------------------------------------------------------------------
def _embed_all(embedder: Embedder, texts: Sequence[str], batch: int) -> float:
    t0 = time.perf_counter()
    for start in range(0, len(texts), batch):
        embedder.embed(texts[start : start + batch])
    return time.perf_counter() - t0


def spread(items: Sequence[str], n: int) -> list[str]:
    """``n`` items spread evenly over ``items`` (all of them when there are fewer).

    >>> spread(list("abcdefgh"), 4)
    ['a', 'c', 'e', 'g']
    """
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def _indexing(
    cfg: BenchConfig, settings: Settings, embedder: Embedder, texts: list[str], n: int
) -> tuple[ChunkStore, CachedEmbedder, dict[str, Any]]:
    """Raw embedding rate on a spread sample of the texts, then the real sync, end to end.

    Uncached, the sync embeds every chunk with the real model (through the cache wrapper,
    which stores the vectors as a by-product); cached, it reads them from the cache and the
    end-to-end rate is estimated (and the last uncached figure is reported beside it).
    """
    cache = cached_embedder(embedder, cfg.cache_dir, f"chunks-{n}")
    cached = cache.covers(texts)
    batch = settings.embed_batch_size
    embedder.embed(["warm up"])  # the model loads on first use: keep that out of the rates
    rss0 = rss_mb()
    sample = spread(texts, cfg.sample)
    raw_rate = len(sample) / max(_embed_all(embedder, sample, batch), 1e-9)
    raw_source = f"measured on {len(sample)} of the {len(texts)} texts, spread evenly"
    store = open_store(settings, embedder, create=True, rebuild=True)
    report, sync_ms = timed(lambda: sync(settings.corpus_dir, settings, cache, store, False))
    sync_s = sync_ms / 1000
    again, reindex_ms = timed(lambda: sync(settings.corpus_dir, settings, embedder, store, False))
    out: dict[str, Any] = {
        "chunks_indexed": report.chunks,
        "articles": report.articles,
        "raw_embed_chunks_per_s": raw_rate,
        "raw_embed_source": raw_source,
        "vectors_from_cache": cached,
        "sync_s": sync_s,
        "reindex_unchanged_s": reindex_ms / 1000,
        "reindex_embedded": again.embedded,
        "rss_growth_during_index_mb": rss_mb() - rss0,
    }
    if cached:
        estimate = report.chunks / (sync_s + report.chunks / raw_rate)
        out["index_chunks_per_s"] = estimate
        out["index_source"] = (
            "estimated: sync with cached vectors + sampled embedding rate; "
            "see last_uncached for the figure measured end to end"
        )
        out["last_uncached"] = cache.meta.get("last_uncached")
    else:
        out["index_chunks_per_s"] = report.chunks / sync_s
        out["index_source"] = "measured end to end (real model, real sync, every chunk embedded)"
        cache.meta["last_uncached"] = {
            "index_chunks_per_s": out["index_chunks_per_s"],
            "raw_embed_chunks_per_s": raw_rate,
            "sync_s": sync_s,
            "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "loadavg": list(os.getloadavg()),
        }
        cache.save()
    out["index_vs_raw"] = out["index_chunks_per_s"] / raw_rate
    return store, cache, out


def _queries(
    bot: Assistant,
    store: ChunkStore,
    questions: Sequence[str],
    vectors: np.ndarray,
    naive: Any | None,
) -> Timings:
    """Each question once per path (no path sees a question embedding cached by another)."""
    snap = bot.snapshot()
    s = bot.settings
    retriever = HybridRetriever(store, s.dense_k, s.bm25_k, s.rrf_k, s.dedupe_threshold)
    embedder = bot.embedder
    mask = Filters().mask(snap, ["body"])
    t = Timings()
    for q in questions:
        answer, ms = timed(partial(bot.ask, q))
        t.ask.append(ms)
        t.asked.append((ms, q, dict(answer.timings_ms)))
        for stage, value in answer.timings_ms.items():
            t.stages.setdefault(stage, []).append(value)

        def retrieve(q: str = q) -> None:
            qv = embedder.embed([q])[0]
            terms = analyze(q, correct=snap.correct).terms
            retriever.search(snap, terms, qv, Filters(), ("body",))

        t.retrieval.append(timed(retrieve)[1])
        qv, embed_ms = timed(partial(_embed_one, embedder, q))
        brute_ms = timed(partial(exact_top_k, vectors, qv, s.dense_k))[1]
        t.embed.append(embed_ms)
        t.brute.append(brute_ms)
        t.limit.append(embed_ms + brute_ms)
        t.dense.append(timed(partial(store.query, qv, s.dense_k))[1])
        terms = analyze(q).terms
        t.bm25.append(timed(partial(bm25_search, snap, terms, s.bm25_k, mask))[1])
        if naive is not None:
            t.naive.append(timed(partial(naive.answer, q))[1])
    return t


def _recall(
    store: ChunkStore, ids: list[str], vectors: np.ndarray, qvecs: np.ndarray, k: int = 10
) -> dict[str, Any]:
    scores = []
    for qv in qvecs:
        approx = [cid for cid, _ in store.query(qv, k)]
        exact = [ids[i] for i in exact_top_k(vectors, qv, k)]
        scores.append(recall_at_k(approx, exact, k))
    return {
        "k": k,
        "queries": len(scores),
        "mean": float(np.mean(scores)) if scores else None,
        "min": float(np.min(scores)) if scores else None,
    }


def _warm(bot: Assistant, warmups: Sequence[str]) -> float:
    _, ms = timed(bot.snapshot)
    for w in warmups:
        bot.ask(w)
    return ms


def bench_size(
    n: int,
    cfg: BenchConfig,
    base: Settings,
    embedder: Embedder,
    work: Path,
    server_url: str | None = None,
) -> dict[str, Any]:
    """Every measurement at one corpus size (``n`` target chunks)."""
    t_size = time.perf_counter()
    load_start = list(os.getloadavg())
    folder, data = work / f"corpus-{n}", work / f"data-{n}"
    stats = write_corpus(folder, n, base, cfg.seeds_dir, cfg.seed)
    settings = base.model_copy(update={"corpus_dir": folder, "data_dir": data, "chroma_url": None})
    articles = load_corpus(folder, settings).articles
    chunks = [
        c for a in articles for c in chunk_article(a, settings.chunk_tokens, settings.chunk_overlap)
    ]
    texts = [c.embed_text for c in chunks]
    log.info("size %d: %d articles, %d chunks", n, len(articles), len(chunks))

    store, cache, indexing = _indexing(cfg, settings, embedder, texts, n)
    indexing["peak_rss_mb"] = peak_rss_mb()

    rng = random.Random(cfg.seed + n)
    real = real_questions(cfg.questions_file)
    rng.shuffle(real)
    pool = sentence_queries(chunks, cfg.queries + cfg.recall_queries + cfg.warmup, rng)
    half = cfg.queries // 2
    questions = [*real[:half], *pool[: cfg.queries - min(half, len(real))]][: cfg.queries]
    warmups = pool[len(questions) : len(questions) + cfg.warmup]
    recall_qs = [*questions, *pool[len(questions) + cfg.warmup :]][: cfg.recall_queries]

    bot = Assistant(settings, embedder=embedder, store=store, build_if_missing=False)
    snapshot_ms = _warm(bot, warmups)
    snap = bot.snapshot()
    ids = [c.id for c in snap.chunks]
    vectors = store.get_vectors(ids)
    rss_warm = rss_mb()
    # the naive pipeline comes after the memory reading: its index is not ours
    naive = None
    naive_info: dict[str, Any] = {}
    if cfg.naive:
        from eval.bench_naive import build_naive

        ncache = CachedEmbedder(embedder, cfg.cache_dir, f"naive-{n}")
        naive, ms = timed(lambda: build_naive(articles, work / f"naive-{n}", ncache, embedder))
        ncache.save()
        naive_info = {"nodes": naive.nodes, "build_s": ms / 1000, "embed_cache_hits": ncache.hits}
        for w in warmups:
            naive.answer(w)

    timings = _queries(bot, store, questions, vectors, naive)
    qvecs = embedder.embed(recall_qs)
    result: dict[str, Any] = {
        "target_chunks": n,
        "chunks": len(chunks),
        "articles": stats.articles,
        "real_articles": stats.real_articles,
        "generated_articles": stats.generated_articles,
        "loadavg_start": load_start,
        "indexing": indexing,
        "snapshot_build_ms": snapshot_ms,
        "rss_warm_mb": rss_warm,
        "queries": len(questions),
        "query": timings.summary(),
        "recall_hnsw": _recall(store, ids, vectors, qvecs),
        "naive": naive_info,
    }
    if server_url:
        result["server"] = _server(
            settings, cache, embedder, server_url, questions, warmups, ids, vectors, qvecs
        )
    if cfg.cold_start:
        result["cold_start"] = cold_start(folder, data, questions[0])
    if cfg.profile:
        result["profile_questions"] = pool[-10:]
    result["_bot"] = bot
    result["loadavg_end"] = list(os.getloadavg())
    result["seconds"] = time.perf_counter() - t_size
    return result


def _server(
    settings: Settings,
    cache: CachedEmbedder,
    embedder: Embedder,
    url: str,
    questions: Sequence[str],
    warmups: Sequence[str],
    ids: list[str],
    vectors: np.ndarray,
    qvecs: np.ndarray,
) -> dict[str, Any]:
    """The same query bench with the index in a Chroma server (vectors from the cache)."""
    remote = settings.model_copy(update={"chroma_url": url})
    store = open_store(remote, embedder, create=True, rebuild=True)
    report, sync_ms = timed(lambda: sync(remote.corpus_dir, remote, cache, store, False))
    bot = Assistant(remote, embedder=embedder, store=store, build_if_missing=False)
    snapshot_ms = _warm(bot, warmups)
    ask: list[float] = []
    dense: list[float] = []
    for q in questions:
        ask.append(timed(partial(bot.ask, q))[1])
        qv = embedder.embed([q])[0]
        dense.append(timed(partial(store.query, qv, remote.dense_k))[1])
    return {
        "url": url,
        "sync_cached_vectors_s": sync_ms / 1000,
        "chunks": report.chunks,
        "snapshot_build_ms": snapshot_ms,
        "ask": summarize(ask),
        "dense": summarize(dense),
        "recall_hnsw": _recall(store, ids, vectors, qvecs),
    }


_CHILD = """import runpy, sys
try:
    runpy.run_module("qa", run_name="__main__", alter_sys=True)
finally:
    hwm = [x for x in open("/proc/self/status") if x.startswith("VmHWM")]
    sys.stderr.write("\\nVmHWM " + (hwm[0].split()[1] if hwm else "0") + "\\n")
"""
"""Runs ``qa`` and reports its own peak RSS (VmHWM of the exec'd image: a parent's
``RUSAGE_CHILDREN`` would count the benchmark's memory inherited at fork)."""


def cold_start(corpus: Path, data: Path, question: str) -> dict[str, Any]:
    """Seconds from process start to printed answer of ``qa ask`` over an existing index."""
    args = ["ask", question, "--corpus", str(corpus), "--data-dir", str(data)]
    cmd = [sys.executable, "-c", _CHILD, *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs: list[float] = []
    peaks: list[float] = []
    for _ in range(2):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        runs.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            return {"error": proc.stderr.strip()[-500:], "seconds": runs}
        hwm = [x for x in proc.stderr.splitlines() if x.startswith("VmHWM ")]
        if hwm:
            peaks.append(int(hwm[-1].split()[1]) / 1024)
    return {
        "seconds": runs,
        "best_s": min(runs),
        "question": question,
        "peak_rss_mb": max(peaks) if peaks else None,
    }


# -- the whole run -----------------------------------------------------------------------------
def run_bench(
    cfg: BenchConfig, settings: Settings | None = None, embedder: Embedder | None = None
) -> dict[str, Any]:
    """Run every size, then write ``bench.json`` (and ``latency.png``); returns the result."""
    from eval.bench_report import memory_per_10k, plot, profile_asks, targets

    if cfg.work_dir is not None:  # a folder the user names is made, not refused
        cfg.work_dir.mkdir(parents=True, exist_ok=True)
    base = settings or Settings()
    if embedder is None:
        from index.embed import get_embedder

        embedder = get_embedder(base)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_dir = cfg.reports_dir / f"bench-{stamp}"
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "created": stamp,
        "model": embedder.model_id,
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()},
        "machine": machine(),
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="qa-bench-", dir=cfg.work_dir) as tmp:
        work = Path(tmp)
        server = None
        if cfg.chroma_server:
            from eval.bench_server import chroma_server

            server = chroma_server(work / "chroma-server")
        url = server.__enter__() if server is not None else None
        try:
            for n in sorted(cfg.sizes):
                size = bench_size(n, cfg, base, embedder, work, url)
                bot = size.pop("_bot")
                questions = size.pop("profile_questions", None)
                if questions and n == _profile_size(cfg.sizes):
                    size["profile"] = profile_asks(bot, questions, out_dir)
                result["sizes"].append(size)
                del bot
                gc.collect()
        finally:
            if server is not None:
                server.__exit__(None, None, None)
    result["memory_per_10k_chunks_mb"] = memory_per_10k(result["sizes"])
    result["targets"] = targets(result["sizes"])
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    (out_dir / "bench.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    result["report_dir"] = str(out_dir)
    result["plot"] = plot(result["sizes"], out_dir / "latency.png")
    return result


def _profile_size(sizes: Sequence[int]) -> int:
    """The size to profile: the one nearest 10k chunks."""
    return min(sizes, key=lambda s: abs(s - 10000))
