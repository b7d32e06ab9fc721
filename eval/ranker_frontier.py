"""The evidence ranker's accuracy/latency frontier: train variants, measure each on dev.

Each variant (layers kept, training length, ...) is trained like the shipped model
(:func:`eval.train_ranker.fit_model`, the same held-out epoch choice), exported, then read
back by :class:`qa.rerank.CrossEncoderReranker` at every serving runtime and input length
asked for; each row gives dev top-1 reranking the overlap top-30 / top-50 and the
milliseconds to score 30 pairs. Rows are appended to a JSON file (a rerun skips the
variants already there); the model card shows them.

    .venv/bin/python -m eval.ranker_frontier --variant layers=2 --variant layers=4,negatives=15
    .venv/bin/python -m eval.ranker_frontier \
        --variant layers=4,epochs=2,teacher=qa/models/evidence-ranker   # distilled from it
    .venv/bin/python -m eval.ranker_frontier --measure qa/models/evidence-ranker \
        --runtimes fp32,bf16,int8 --lengths 48,64,96     # an exported model, as it is

Variants train on the train weeks ``qa train`` gives its ranker (the combiner's latest weeks
left out). A variant is ``key=value`` pairs of :class:`eval.train_ranker.TrainConfig`:

    >>> parse_variant("layers=2,lr=1e-4,bf16=None")
    {'layers': 2, 'lr': 0.0001, 'bf16': None}
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.ranker_card import FRONTIER_FILE
from eval.ranker_data import RankItem, build_items, split_holdout
from eval.ranker_probe import ms_per_pairs, rerank_figures_at
from eval.train_ranker import TrainConfig, export_model, fit_model
from index.errors import UserError
from qa.rerank import CrossEncoderReranker

__all__ = ["measure", "measure_folder", "parse_variant", "run_variant"]

log = logging.getLogger(__name__)


def parse_variant(text: str) -> dict[str, Any]:
    """``"layers=2,lr=1e-4"`` -> TrainConfig overrides, each value typed like its field."""
    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = part.partition("=")
        if key not in fields:
            raise SystemExit(f"unknown setting {key!r}; use: {', '.join(fields)}")
        kind = str(fields[key].type)
        if value == "None":
            out[key] = None
        elif kind.startswith("float"):
            out[key] = float(value)
        elif kind.startswith("int"):
            out[key] = int(value)
        elif kind.startswith("bool"):
            out[key] = value.lower() in ("1", "true", "yes")
        else:
            out[key] = value
    return out


def measure(
    folder: Path, dev: Sequence[RankItem], runtimes: Sequence[str], lengths: Sequence[int]
) -> list[dict[str, Any]]:
    """Dev rows for one exported model at each (runtime, max_length)."""
    rows = []
    for runtime in runtimes:
        for length in lengths:
            ranker = CrossEncoderReranker(folder, max_length=length, runtime=runtime)  # type: ignore[arg-type]
            row: dict[str, Any] = {"runtime": runtime, "max_length": length}
            row["ms30"] = round(ms_per_pairs(dev, ranker.score), 1)
            for fig in rerank_figures_at(dev, ranker.score, (30, 50)):
                k = fig.k
                row[f"top1_{k}"] = round(fig.top1, 4)
                row[f"in_{k}"] = round(fig.top1_in_k, 4)
            log.info("%s %s", folder.name, row)
            rows.append(row)
    return rows


def measure_folder(
    folder: Path, dev: Sequence[RankItem], runtimes: Sequence[str], lengths: Sequence[int]
) -> list[dict[str, Any]]:
    """Rows for a model folder with a card (``meta.json`` from :func:`train_ranker`)."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    tr = meta.get("training", {})
    history = tr.get("history") or [{}]
    base = {
        "variant": f"{folder.name} (as shipped)",
        "layers": meta["layers"],
        "train_max_length": meta["max_length"],
        "size_mb": meta.get("size_mb"),
        "train_s": tr.get("seconds"),
        "held_top1_in_30": max(h.get("held_top1_in_30", 0) for h in history),
        "config": tr.get("config", {}),
    }
    return [
        {**base, **row} for row in measure(folder, dev, runtimes, lengths or [meta["max_length"]])
    ]


def run_variant(
    name: str,
    overrides: dict[str, Any],
    train: Sequence[RankItem],
    dev: Sequence[RankItem],
    models: Path,
    runtimes: Sequence[str],
    lengths: Sequence[int],
) -> list[dict[str, Any]]:
    """Train one variant into ``models/name`` and measure it; one row per serving setting."""
    config = dataclasses.replace(TrainConfig(), **overrides)
    train = [i for i in train if i.week not in set(config.exclude_weeks)]  # as qa train does
    fit, held = split_holdout(train, config.holdout, config.seed)
    t0 = time.perf_counter()
    model, tokenizer, history = fit_model(fit, held, config, progress=False)
    seconds = time.perf_counter() - t0
    folder = models / name
    size = export_model(model, tokenizer, folder)
    (folder / "meta.json").write_text(json.dumps({"max_length": config.max_length}) + "\n")
    base = {
        "variant": name,
        "layers": config.layers,
        "train_max_length": config.max_length,
        "size_mb": round(size, 1),
        "train_s": round(seconds),
        "train_questions": len(train),
        "held_top1_in_30": history[-1].get("held_top1_in_30") if history else None,
        "config": dataclasses.asdict(config),
    }
    return [
        {**base, **row} for row in measure(folder, dev, runtimes, lengths or [config.max_length])
    ]


def main(argv: Sequence[str] | None = None) -> int:
    from eval.realtimeqa.data import DEFAULT_DATA, load_dataset
    from eval.train_all import TrainAllConfig

    p = argparse.ArgumentParser(prog="python -m eval.ranker_frontier", description=__doc__)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--variant", action="append", default=[], help="key=value,... (repeat)")
    p.add_argument("--runtimes", default="bf16,int8", help="serving runtimes measured")
    p.add_argument("--lengths", default="", help="serving max lengths (default: the trained one)")
    p.add_argument("--models", type=Path, default=Path(".qa/frontier"), help="experiment weights")
    p.add_argument("--results", type=Path, default=FRONTIER_FILE)
    p.add_argument("--measure", type=Path, help="measure this exported model folder (no training)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        ds = load_dataset(args.data)
    except UserError as e:  # one line naming the fix, as `qa` prints it
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    train, dev = build_items(ds, "train"), build_items(ds, "dev")
    weeks = sorted({q.week for q in ds.questions("train")})
    combiner = {"exclude_weeks": tuple(weeks[-TrainAllConfig().combiner_weeks :])}
    rows: list[dict[str, Any]] = (
        json.loads(args.results.read_text()) if args.results.is_file() else []
    )
    done = {r["variant"] for r in rows}
    lengths = [int(x) for x in args.lengths.split(",") if x]
    if args.measure:
        rows += measure_folder(args.measure, dev, args.runtimes.split(","), lengths)
        args.results.write_text(json.dumps(rows, indent=1) + "\n")
    for text in args.variant:
        name = text.replace("=", "").replace(",", "_").replace("/", "-") or "default"
        if name in done:
            continue
        overrides = {**combiner, **parse_variant(text)}  # the weeks `qa train` leaves out
        rows += run_variant(
            name, overrides, train, dev, args.models, args.runtimes.split(","), lengths
        )
        args.results.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
