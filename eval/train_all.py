"""``qa train``: every learned part, from the realtimeqa ``train`` split, in dependency order.

1. the answer typer (:mod:`eval.train_typer`) on the answerable train questions;
2. the evidence ranker (:mod:`eval.train_ranker`);
3. the combiner and the calibrated decision (:mod:`eval.train_combiner`), on a pooled block
   of train weeks that the typer and the ranker did not see (the latest ``combiner_weeks``:
   stacked models must be fit on scores their inputs were not trained on);
4. the short-answer model (:mod:`eval.train_short`): its cross-encoder on the train weeks
   before those, its candidate weights on those same held-out weeks.

Dev is only reported, never fit. Each part writes its folder under ``qa/models/`` with its card.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from eval.realtimeqa.data import load_dataset

__all__ = ["TrainAllConfig", "train_all"]

log = logging.getLogger(__name__)

MODELS = Path(__file__).resolve().parents[1] / "qa" / "models"


@dataclass(frozen=True)
class TrainAllConfig:
    combiner_weeks: int = 20
    candidates: int = 24
    parts: tuple[str, ...] = ("typer", "ranker", "combiner", "short")
    models: Path = MODELS


def train_all(
    data: Path,
    config: TrainAllConfig,
    ranker_config: Any = None,
    settings: Any = None,
    progress: bool = True,
    dev: bool = True,
) -> dict[str, Any]:
    """Train the chosen parts; returns what each reported (``dev``: measure on dev too)."""
    from eval.ranker_data import build_items
    from eval.train_combiner import train_combiner_on_block
    from eval.train_ranker import TrainConfig, train_ranker
    from eval.train_typer import train_typer
    from index.embed import get_embedder
    from qa.answertype import AnswerTyper
    from qa.rerank import CrossEncoderReranker
    from qa.settings import Settings

    t0 = time.perf_counter()
    settings = settings or Settings()
    ds = load_dataset(data)
    weeks = sorted({q.week for q in ds.questions("train")})
    held = tuple(weeks[-config.combiner_weeks :]) if config.combiner_weeks else ()
    out: dict[str, Any] = {"combiner_weeks": list(held)}
    embedder = get_embedder(settings)
    if "typer" in config.parts:
        items = [i for i in build_items(ds, "train", progress=progress) if i.week not in held]
        dev_items = build_items(ds, "dev", progress=progress) if dev else []
        meta = train_typer(items, dev_items, embedder, out=config.models / "answer-type")
        out["typer"] = f"answer typer: dev label accuracy {meta['dev_accuracy']}, C={meta['C']}"
    if "ranker" in config.parts:
        rc = replace(ranker_config or TrainConfig(), exclude_weeks=held)
        result = train_ranker(
            data, config.models / "evidence-ranker", rc, progress=progress, dev=dev
        )
        out["ranker"] = result.summary()
    if "combiner" in config.parts:
        combiner = train_combiner_on_block(
            data,
            held,
            CrossEncoderReranker(config.models / "evidence-ranker"),
            AnswerTyper(config.models / "answer-type"),
            out=config.models / "combiner",
            candidates=config.candidates,
            settings=settings,
            embedder=embedder,
            progress=progress,
        )
        m = combiner.meta
        out["combiner"] = (
            f"combiner: train top-1 {m['train_oof_top1_positives']} (first stage "
            f"{m['train_first_stage_top1_positives']}), threshold {m['threshold']} "
            f"(train rejection {m['train_oof_rejection']}, false refusals "
            f"{m['train_oof_false_refusal']})"
        )
    if "short" in config.parts:
        from eval.train_short import run

        meta = run(data, held, settings, embedder, config.models / "short-answer", dev=dev,
                   progress=progress)  # fmt: skip
        cv = meta["cv"][str(meta["l2"])]
        out["short"] = (
            f"short answers: train cross-validated {cv['model']} right vs {cv['support']} by "
            f"support alone (of {cv['possible']}); {meta['size_mb']} MB"
        )
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


def train_ablations(
    data: Path, models: Path = MODELS, settings: Any = None, progress: bool = True
) -> dict[str, dict[str, Any]]:
    """The combiner refit with each feature mechanism switched off
    (:data:`eval.ablations.REFITS`), into the benchmark's work dir, for the
    ``product-no-<name>`` rows of ``qa eval``. The shipped models are not touched."""
    from eval.ablations import ABLATED_COMBINERS, REFITS, ablated
    from eval.train_combiner import train_combiner_on_block
    from index.embed import get_embedder
    from qa.answertype import AnswerTyper
    from qa.rerank import CrossEncoderReranker
    from qa.settings import Settings

    settings = settings or Settings()
    embedder = get_embedder(settings)
    ds = load_dataset(data)
    weeks = sorted({q.week for q in ds.questions("train")})[-TrainAllConfig().combiner_weeks :]
    ranker = CrossEncoderReranker(models / "evidence-ranker")
    typer = AnswerTyper(models / "answer-type")
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(REFITS):
        folder = settings.data_dir / "realtimeqa" / ABLATED_COMBINERS / name
        with ablated(name):
            combiner = train_combiner_on_block(
                data, weeks, ranker, typer, out=folder, settings=settings, embedder=embedder,
                progress=progress,
            )  # fmt: skip
        out[name] = {k: combiner.meta.get(k) for k in ("train_oof_top1_positives", "threshold")}
    return out
