"""Exact search, recall and latency summaries for the benchmark.

>>> v = np.eye(4, dtype=np.float32)
>>> exact_top_k(v, np.array([0.1, 0.9, 0.0, 0.5], dtype=np.float32), 2).tolist()
[1, 3]
>>> recall_at_k(["a", "b", "c"], ["a", "c", "d"], 3)
0.6666666666666666
>>> summarize([1.0, 2.0, 3.0, 4.0])["p50"]
2.5
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def exact_top_k(vectors: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    """Row indices of the ``k`` best dot products, best first (brute force, exact).

    Rows and query are L2-normalised, so the dot product is the cosine similarity.
    """
    n = vectors.shape[0]
    if n == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    scores = vectors @ query
    k = min(k, n)
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


def recall_at_k(approx: Sequence[str], exact: Sequence[str], k: int) -> float:
    """Share of the exact top ``k`` that the approximate top ``k`` found."""
    want = list(exact)[:k]
    if not want:
        return 1.0
    return len(set(approx[:k]) & set(want)) / len(want)


def summarize(ms: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / mean / min / max of latencies in milliseconds (``n`` too)."""
    a = np.asarray(ms, dtype=np.float64)
    if a.size == 0:
        return {"n": 0}
    return {
        "n": int(a.size),
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "mean": float(a.mean()),
        "min": float(a.min()),
        "max": float(a.max()),
    }


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """``fn()`` and how long it took, in milliseconds."""
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000
