"""How well does a scorer pick the answering sentence? Dev figures for the evidence ranker.

For each answerable question, its pages' sentences are ranked by word overlap with the
question (the first stage); the top ``k`` are rescored and the best one is *right* when
it holds the answer. ``top1`` counts over every question, ``top1_in_k`` over those whose
answer is among the ``k`` candidates (what reranking can fix).

    >>> from eval.ranker_data import RankItem
    >>> item = RankItem("q", "w", "Who won the race?", "Ann Lee",
    ...                 ("The race was won.", "Ann Lee won it.", "It rained."))
    >>> fig = rerank_figures([item], overlap_score, k=3)
    >>> fig.top1, fig.top1_in_k  # overlap picks "The race was won."
    (0.0, 0.0)
    >>> rerank_figures([item], lambda q, ps: [-len(p) for p in ps], k=2).top1  # the shorter
    1.0

Scorers compared: word overlap, MiniLM cosine, a logistic regression over frozen features
(overlap, IDF-weighted overlap, cosine, shape; fit on train) and cross-encoders, each with
its milliseconds per 30 pairs.
"""

from __future__ import annotations

import logging
import math
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from eval.ranker_data import RankItem
from qa.question import content_terms

if TYPE_CHECKING:
    from index.embed import Embedder

__all__ = [
    "FeatureRanker",
    "RankFigures",
    "ScoreFn",
    "cosine_scorer",
    "format_rows",
    "ms_per_pairs",
    "overlap_score",
    "probe",
    "rerank_figures",
    "rerank_figures_at",
]

log = logging.getLogger(__name__)

ScoreFn = Callable[[str, Sequence[str]], Sequence[float]]


@dataclass(frozen=True)
class RankFigures:
    """Top-1 accuracy of one scorer reranking the overlap top-``k``."""

    k: int
    n: int
    top1: float
    n_in_k: int
    top1_in_k: float

    def row(self) -> dict[str, Any]:
        return asdict(self)


def rerank_figures(
    items: Sequence[RankItem], score: ScoreFn, k: int, progress: bool = False, desc: str = ""
) -> RankFigures:
    """Top-1 of ``score`` over each item's overlap top-``k`` (ties: the earlier candidate)."""
    return rerank_figures_at(items, score, [k], progress=progress, desc=desc)[0]


def rerank_figures_at(
    items: Sequence[RankItem],
    score: ScoreFn,
    ks: Sequence[int],
    progress: bool = False,
    desc: str = "",
) -> list[RankFigures]:
    """:func:`rerank_figures` at several ``ks`` from one scoring of the top ``max(ks)``
    (a pair's score does not depend on the other candidates)."""
    right = dict.fromkeys(ks, 0)
    in_k = dict.fromkeys(ks, 0)
    for item in tqdm(items, desc=desc or "rerank", disable=not progress, leave=False):
        pos = set(item.positives)
        cands = item.by_overlap[: max(ks)]
        if not cands or not pos.intersection(cands):
            continue
        scores = list(score(item.question, [item.sentences[i] for i in cands]))
        for k in ks:
            if pos.intersection(cands[:k]):
                in_k[k] += 1
                best = max(range(min(k, len(cands))), key=lambda j: (scores[j], -j))
                right[k] += cands[best] in pos
    n = len(items)
    return [
        RankFigures(
            k, n, right[k] / n if n else 0.0, in_k[k], right[k] / in_k[k] if in_k[k] else 0.0
        )
        for k in ks
    ]


def overlap_score(question: str, passages: Sequence[str]) -> list[float]:
    """Distinct question terms each passage holds (the first stage's own score).

    >>> overlap_score("Who met Jaua in Guatemala?", ["Kerry met Jaua.", "In Guatemala, he did."])
    [2.0, 1.0]
    """
    terms = set(content_terms(question))
    return [float(len(terms.intersection(content_terms(p)))) for p in passages]


def cosine_scorer(embedder: Embedder) -> ScoreFn:
    """MiniLM cosine between the question and each passage (each embedded alone)."""

    def score(question: str, passages: Sequence[str]) -> list[float]:
        vecs = embedder.embed([question, *passages])
        return [float(x) for x in vecs[1:] @ vecs[0]]

    return score


_DIGIT = re.compile(r"\d")
_CAPITAL = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+")
FEATURES = (
    "overlap",
    "overlap_frac",
    "idf_overlap",
    "idf_frac",
    "cosine",
    "log_words",
    "has_digit",
    "capitals",
    "first_rank",
)


class FeatureRanker:
    """Logistic regression over frozen features of (question, candidate sentence).

    Features: distinct-term overlap (count, fraction of the question's terms), the same
    IDF-weighted (IDF over train sentences), MiniLM cosine, log word count, holds a digit,
    capitalised words inside the sentence, and the first stage's rank (1 / (1 + r)).
    """

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder
        self.idf: dict[str, float] = {}
        self.default_idf = 1.0
        self.model: Any = None

    def fit_idf(self, items: Sequence[RankItem]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for item in items:
            for s in item.sentences:
                df.update(set(content_terms(s)))
                n += 1
        self.idf = {t: math.log((n + 1) / (c + 1)) + 1 for t, c in df.items()}
        self.default_idf = math.log(n + 1) + 1

    def features(self, question: str, passages: Sequence[str]) -> np.ndarray:
        terms = set(content_terms(question))
        q_idf = sum(self.idf.get(t, self.default_idf) for t in terms) or 1.0
        cos: Sequence[float] = (
            cosine_scorer(self.embedder)(question, passages)
            if self.embedder is not None
            else [0.0] * len(passages)
        )
        rows = []
        for r, (p, c) in enumerate(zip(passages, cos, strict=True)):
            shared = terms.intersection(content_terms(p))
            idf = sum(self.idf.get(t, self.default_idf) for t in shared)
            rows.append(
                [
                    len(shared),
                    len(shared) / max(1, len(terms)),
                    idf,
                    idf / q_idf,
                    c,
                    math.log1p(len(p.split())),
                    1.0 if _DIGIT.search(p) else 0.0,
                    len(_CAPITAL.findall(p)),
                    1.0 / (1 + r),
                ]
            )
        return np.array(rows, dtype=np.float64).reshape(len(passages), len(FEATURES))

    def fit(self, items: Sequence[RankItem], k: int = 30, progress: bool = False) -> None:
        """IDF, then the regression on each item's overlap top-``k`` (label: holds the answer)."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.fit_idf(items)
        xs, ys = [], []
        for item in tqdm(items, desc="features (train)", disable=not progress, leave=False):
            cands = item.by_overlap[:k]
            if not set(item.positives).intersection(cands):
                continue
            xs.append(self.features(item.question, [item.sentences[i] for i in cands]))
            ys += [int(i in item.positives) for i in cands]
        self.model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
        self.model.fit(np.vstack(xs), np.array(ys))

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        if self.model is None:
            raise RuntimeError("FeatureRanker.score before fit")
        x = self.features(question, passages)
        return [float(v) for v in self.model.decision_function(x)]


def ms_per_pairs(
    items: Sequence[RankItem], score: ScoreFn, pairs: int = 30, questions: int = 40
) -> float:
    """Median milliseconds for one call scoring ``pairs`` real dev candidates (after a warm-up)."""
    chosen = [i for i in items if len(i.by_overlap) >= pairs][:questions]
    if not chosen:
        return math.nan
    calls = [(i.question, [i.sentences[j] for j in i.by_overlap[:pairs]]) for i in chosen]
    score(*calls[0])
    times = []
    for q, ps in calls:
        t0 = time.perf_counter()
        score(q, ps)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def probe(
    data: Path,
    models: Sequence[Path] = (),
    ks: Sequence[int] = (30, 50),
    baselines: bool = True,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Dev rows for every scorer: word overlap, (with ``baselines``) MiniLM cosine and the
    feature regression fit on train, then each cross-encoder folder in ``models``."""
    from eval.ranker_data import build_items
    from eval.realtimeqa.data import load_dataset
    from qa.rerank import CrossEncoderReranker

    ds = load_dataset(data)
    dev = build_items(ds, "dev", progress=progress)
    scorers: list[tuple[str, ScoreFn]] = [("overlap", overlap_score)]
    if baselines:
        from index.embed import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder()
        scorers.append(("minilm-cosine", cosine_scorer(embedder)))
        lr = FeatureRanker(embedder)
        lr.fit(build_items(ds, "train", progress=progress), progress=progress)
        scorers.append(("features-logreg", lr.score))
    for path in models:
        ranker = CrossEncoderReranker(Path(path))
        scorers.append((f"cross-encoder:{path}", ranker.score))
    rows = []
    for name, fn in scorers:
        ms = ms_per_pairs(dev, fn)
        for fig in rerank_figures_at(dev, fn, ks, progress=progress, desc=name):
            rows.append({"scorer": name, **fig.row(), "ms_per_30_pairs": round(ms, 1)})
    return rows


def format_rows(rows: Sequence[dict[str, Any]]) -> str:
    """The probe's rows as a plain-text table.

    >>> print(format_rows([{"scorer": "overlap", "k": 30, "n": 364, "top1": 0.3,
    ...                     "n_in_k": 278, "top1_in_k": 0.4, "ms_per_30_pairs": 0.5}]))
    scorer   k   top-1  top-1|in-k  in-k  ms/30
    overlap  30  0.300  0.400       278   0.5
    """
    header = ["scorer", "k", "top-1", "top-1|in-k", "in-k", "ms/30"]
    table = [header] + [
        [
            str(r["scorer"]),
            str(r["k"]),
            f"{r['top1']:.3f}",
            f"{r['top1_in_k']:.3f}",
            str(r["n_in_k"]),
            f"{r['ms_per_30_pairs']:.1f}",
        ]
        for r in rows
    ]
    widths = [max(len(row[c]) for row in table) for c in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    )
