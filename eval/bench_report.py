"""Turning benchmark results into a table, targets, a plot and a profile.

>>> sizes = [{"chunks": 1000, "rss_warm_mb": 500.0}, {"chunks": 11000, "rss_warm_mb": 600.0}]
>>> memory_per_10k(sizes)
100.0
>>> ratio(3.0, 2.0), ratio(1.0, 0.0)
(1.5, None)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TARGETS = {
    "ask_p50_vs_limit": 1.5,
    "index_vs_raw_embedding": 0.8,
    "hnsw_recall_at_10": 0.99,
}


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _p(size: dict[str, Any], path: str, stat: str = "p50") -> float | None:
    got = size["query"].get(path) or {}
    value = got.get(stat)
    return float(value) if value is not None else None


def memory_per_10k(sizes: Sequence[dict[str, Any]]) -> float | None:
    """Marginal resident memory per 10k chunks, from the smallest and largest warm sizes."""
    if len(sizes) < 2:
        return None
    lo, hi = sizes[0], sizes[-1]
    dn = hi["chunks"] - lo["chunks"]
    if dn <= 0:
        return None
    return round((hi["rss_warm_mb"] - lo["rss_warm_mb"]) / dn * 10000, 1)


def targets(sizes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Each target against the size nearest 10k chunks (reported, never asserted)."""
    if not sizes:
        return {}
    size = min(sizes, key=lambda s: abs(s["chunks"] - 10000))
    ask_vs_limit = ratio(_p(size, "ask"), _p(size, "limit"))
    index_vs_raw = size["indexing"]["index_vs_raw"]
    recall = size["recall_hnsw"]["mean"]
    out: dict[str, Any] = {"at_chunks": size["chunks"]}
    for name, got, goal, higher in (
        ("ask_p50_vs_limit", ask_vs_limit, TARGETS["ask_p50_vs_limit"], False),
        ("index_vs_raw_embedding", index_vs_raw, TARGETS["index_vs_raw_embedding"], True),
        ("hnsw_recall_at_10", recall, TARGETS["hnsw_recall_at_10"], True),
    ):
        met = None if got is None else (got >= goal if higher else got <= goal)
        out[name] = {"value": got, "target": goal, "met": met}
    if "cold_start" in size:
        out["cold_start_s"] = size["cold_start"].get("best_s")
    return out


def _f(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def format_tables(result: dict[str, Any]) -> str:
    """The human summary: indexing, query latency (ms, p50/p95) and ratios, targets."""
    lines = [
        f"model {result['model']}, {result['machine']['cpus']} CPUs, load average at start "
        f"{', '.join(f'{x:.1f}' for x in result['machine']['loadavg'])}",
        "",
        "INDEXING      chunks  articles  index c/s  raw c/s  ratio  sync s  reindex s  "
        "peak RSS MB  vectors",
    ]
    for s in result["sizes"]:
        ix = s["indexing"]
        lines.append(
            f"{s['target_chunks']:>8}  {s['chunks']:>10}  {s['articles']:>8}  "
            f"{_f(ix['index_chunks_per_s']):>9}  {_f(ix['raw_embed_chunks_per_s']):>7}  "
            f"{_f(ix['index_vs_raw'], '.2f'):>5}  {_f(ix['sync_s']):>6}  "
            f"{_f(ix['reindex_unchanged_s'], '.2f'):>9}  {_f(ix['peak_rss_mb'], '.0f'):>11}  "
            f"{'cached' if ix['vectors_from_cache'] else 'computed'}"
        )
    lines += [
        "",
        "QUERY ms p50/p95   ask          retrieval    limit        naive        "
        "ask/limit  naive/ask  bm25   chroma  recall@10",
    ]
    for s in result["sizes"]:

        def pair(path: str, s: dict[str, Any] = s) -> str:
            return f"{_f(_p(s, path))}/{_f(_p(s, path, 'p95'))}"

        lines.append(
            f"{s['chunks']:>17}  {pair('ask'):>11}  {pair('retrieval'):>11}  "
            f"{pair('limit'):>11}  {pair('naive'):>11}  "
            f"{_f(ratio(_p(s, 'ask'), _p(s, 'limit')), '.2f'):>9}  "
            f"{_f(ratio(_p(s, 'naive'), _p(s, 'ask')), '.2f'):>9}  "
            f"{_f(_p(s, 'bm25'), '.2f'):>5}  {_f(_p(s, 'dense'), '.2f'):>6}  "
            f"{_f(s['recall_hnsw']['mean'], '.3f'):>9}"
        )
    for s in result["sizes"]:
        stages = s.get("query", {}).get("ask_stages", {})
        total = (stages.get("total") or {}).get("p50")
        if stages and total:
            parts = [
                f"{k} {v['p50']:.1f}" + (f" ({v['p50'] / total:.0%})" if k == "rerank" else "")
                for k, v in stages.items()
                if k != "total" and v.get("p50") is not None
            ]
            lines.append(f"{s['chunks']:>17}  ask stages p50 ms: " + ", ".join(parts))
        for slow in s.get("query", {}).get("slowest", []):
            top = sorted(((k, v) for k, v in slow["stages"].items() if k != "total"),
                         key=lambda kv: -kv[1])[:3]  # fmt: skip
            where = ", ".join(f"{k} {v:.0f}" for k, v in top)
            lines.append(f"{'slow':>17}  {slow['ms']:7.1f} ms  {slow['question'][:60]!r} ({where})")
    servers = [s for s in result["sizes"] if "server" in s]
    if servers:
        lines += [
            "",
            "CHROMA SERVER     ask p50/p95   chroma p50  recall@10  sync (cached vectors) s",
        ]
        for s in servers:
            sv = s["server"]
            ask = f"{_f(sv['ask'].get('p50'))}/{_f(sv['ask'].get('p95'))}"
            dense = _f(sv["dense"].get("p50"), ".2f")
            recall = _f(sv["recall_hnsw"]["mean"], ".3f")
            lines.append(
                f"{s['chunks']:>17}  {ask:<12}  {dense:>10}  {recall:>9}"
                f"  {_f(sv['sync_cached_vectors_s'])}"
            )
    lines.append("")
    for s in result["sizes"]:
        extra = []
        if "cold_start" in s:
            cold = s["cold_start"]
            runs = ", ".join(f"{x:.1f}" for x in cold.get("seconds", []))
            extra.append(
                f"cold start of qa ask {runs} s, peak RSS {_f(cold.get('peak_rss_mb'))} MB"
            )
        extra.append(f"snapshot build {s['snapshot_build_ms']:.0f} ms")
        extra.append(f"RSS warm {s['rss_warm_mb']:.0f} MB")
        lines.append(f"{s['chunks']} chunks: " + "; ".join(extra))
        if s["indexing"]["vectors_from_cache"]:
            lines.append(f"  indexing: {s['indexing']['index_source']}")
            last = s["indexing"].get("last_uncached")
            if last:
                lines.append(
                    f"  last uncached run ({last['measured_at']}): "
                    f"{last['index_chunks_per_s']:.1f} chunks/s vs raw "
                    f"{last['raw_embed_chunks_per_s']:.1f}"
                )
    mem = result.get("memory_per_10k_chunks_mb")
    lines.append(f"memory per 10k chunks (marginal RSS): {_f(mem)} MB")
    t = result.get("targets", {})
    if t:
        lines.append(f"targets at {t['at_chunks']} chunks:")
        for name in TARGETS:
            got = t[name]
            mark = {True: "met", False: "MISSED", None: "n/a"}[got["met"]]
            lines.append(f"  {name}: {_f(got['value'], '.3f')} (target {got['target']}) {mark}")
    return "\n".join(lines)


def plot(sizes: Sequence[dict[str, Any]], path: Path) -> str | None:
    """Latency (p50) against corpus size as a PNG; None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.warning("matplotlib is not installed: no plot (pip install matplotlib)")
        return None
    xs = [s["chunks"] for s in sizes]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    labels = {
        "ask": "ask (end to end)",
        "retrieval": "retrieval alone",
        "limit": "query embedding + brute force",
        "naive": "naive llama-index",
        "bm25": "BM25 alone",
        "dense": "Chroma HNSW alone",
    }
    for key, label in labels.items():
        ys = [_p(s, key) for s in sizes]
        if all(y is not None for y in ys):
            ax.plot(xs, [float(y or 0.0) for y in ys], marker="o", label=label)
    server = [s["server"]["ask"].get("p50") for s in sizes if "server" in s]
    if len(server) == len(sizes):
        ax.plot(xs, server, marker="s", linestyle="--", label="ask, Chroma server")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("corpus size (chunks)")
    ax.set_ylabel("p50 latency (ms)")
    ax.set_title("Query latency vs corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return str(path)


def profile_asks(bot: Any, questions: Sequence[str], out_dir: Path) -> dict[str, Any]:
    """Profile warm ``bot.ask`` over ``questions``; writes profile.txt (and .html)."""
    t0 = time.perf_counter()
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for q in questions:
            bot.ask(q)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
        text = buf.getvalue()
        tool = "cProfile"
    else:
        profiler = Profiler(interval=0.001)
        profiler.start()
        for q in questions:
            bot.ask(q)
        profiler.stop()
        text = profiler.output_text(unicode=False, color=False, show_all=False)
        (out_dir / "profile.html").write_text(profiler.output_html(), encoding="utf-8")
        tool = "pyinstrument"
    (out_dir / "profile.txt").write_text(text, encoding="utf-8")
    return {
        "tool": tool,
        "questions": len(questions),
        "seconds": time.perf_counter() - t0,
        "file": str(out_dir / "profile.txt"),
    }
