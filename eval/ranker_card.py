"""The evidence ranker's model card (``README.md`` in its folder), written from ``meta.json``.

>>> card = render_card({"name": "evidence-ranker", "layers": 4, "max_length": 64,
...                     "size_mb": 40.0, "command": "qa train"})
>>> card.splitlines()[0]
'# evidence-ranker'
>>> "qa train" in card
True
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["FRONTIER_FILE", "frontier_rows", "frontier_table", "render_card", "write_card"]

FRONTIER_FILE = Path(__file__).resolve().parent / "ranker_frontier.json"
"""The measured frontier (``python -m eval.ranker_frontier``; committed, shown in the card)."""

FRONTIER_NOTE = (
    "Variants trained with the same recipe (the settings above unless the variant says "
    "otherwise), each read back at a serving runtime and input length, measured on dev: "
    "top-1 among the overlap top-30 / top-50 when the answer is among them, and the median "
    "milliseconds to score 30 dev pairs in one call on 2 cores (the machine was shared, so "
    "times are indicative). Made by `python -m eval.ranker_frontier` "
    "(rows in `eval/ranker_frontier.json`)."
)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _f(x: object, digits: int = 3) -> str:
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def frontier_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Markdown rows of the accuracy/latency frontier (one per variant measured on dev)."""
    header = ["layers", "max tokens", "runtime", "dev top-1 | top-30", "dev top-1 | top-50"]
    header += ["ms / 30 pairs", "MB", "shipped"]
    body = [
        [
            r["layers"],
            r["max_length"],
            r["runtime"],
            _f(r["in_30"]),
            _f(r["in_50"]),
            _f(r["ms30"], 0),
            _f(r.get("size_mb", ""), 0),
            "**yes**" if r.get("shipped") else "",
        ]
        for r in rows
    ]
    return _table(header, body)


def frontier_rows(
    meta: dict[str, Any],
    rows: Sequence[dict[str, Any]] | None = None,
    runtime: str | None = None,
    path: Path = FRONTIER_FILE,
) -> list[dict[str, Any]]:
    """The frontier's rows (``rows``, else the file's), the one with this model's training
    settings, input length and serving ``runtime`` marked shipped.

    >>> meta = {"layers": 4, "max_length": 64, "training": {"config": {"negatives": 7}}}
    >>> rows = [{"layers": 4, "max_length": 64, "runtime": "bf16", "config": {"negatives": 7}},
    ...         {"layers": 4, "max_length": 48, "runtime": "bf16", "config": {"negatives": 7}}]
    >>> [r["shipped"] for r in frontier_rows(meta, rows=rows, runtime="bf16")]
    [True, False]
    """
    if rows is None:
        rows = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    runtime = runtime or meta.get("dev", {}).get("runtime")
    config = meta.get("training", {}).get("config", {})
    same = ("limit", "runtime")  # not part of what the weights are

    def shipped(r: dict[str, Any]) -> bool:
        trained = {k: v for k, v in r.get("config", {}).items() if k not in same}
        ours = {k: v for k, v in config.items() if k not in same}
        return (
            trained == ours
            and r["max_length"] == meta.get("max_length")
            and (r["runtime"] == runtime)
        )

    return [{**r, "shipped": shipped(r)} for r in rows]


def write_card(folder: Path, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write ``meta.json`` and ``README.md`` into a model folder (``meta`` defaults to the
    folder's own), with the current frontier rows; returns the meta written."""
    if meta is None:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta = {k: v for k, v in meta.items() if k not in ("frontier", "frontier_note")}
    rows = frontier_rows(meta)
    if rows:
        meta |= {"frontier": rows, "frontier_note": FRONTIER_NOTE}
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(render_card(meta), encoding="utf-8")
    return meta


def render_card(meta: dict[str, Any]) -> str:
    """The card: what it is, how to call it, data, split, settings, dev figures, size, speed,
    the frontier explored, and the command that reproduces it."""
    tr = meta.get("training", {})
    cfg = tr.get("config", {})
    dev = meta.get("dev", {})
    out = [
        f"# {meta.get('name', 'evidence-ranker')}",
        "",
        "A small cross-encoder that scores how well a sentence answers a question: "
        f"{meta.get('layers')} of the 6 transformer layers of all-MiniLM-L6-v2 (layers "
        f"{meta.get('kept_layers', '?')}) with a one-logit head, "
        "fine-tuned on realtimeqa `train` with a listwise loss (softmax over one answering "
        "sentence and mined negatives per question).",
        "",
        "## Use",
        "",
        "```python",
        "from qa.rerank import get_reranker",
        "",
        'ranker = get_reranker("evidence-minilm")  # loads this folder on first use, offline',
        'ranker.score("Who won the race?", ["Ann Lee won the race.", "The race was long."])',
        "# -> [raw logit, raw logit]: higher answers better; not probabilities",
        "```",
        "",
        f"Scores: {meta.get('scores', 'raw logits')}. Inputs are cut to "
        f"{meta.get('max_length')} tokens per (question, sentence) pair. Runtime "
        f"`{meta.get('runtime', 'auto')}`: bf16 where the CPU runs it in hardware (AMX / "
        "AVX-512 BF16), else int8 (torch dynamic quantization); weights are stored as "
        f"{meta.get('weights', 'float16')}.",
        "",
        "## Training data and split",
        "",
        f"- {tr.get('data', 'realtimeqa train')} (data version `{tr.get('data_version', '?')}`): "
        f"{tr.get('questions', '?')} train questions whose answer is in their pages, "
        f"{tr.get('with_positive', '?')} with an answering sentence after cleaning.",
        "- Sentences are what the product sees: each page cleaned by `index.clean.clean` "
        "(its body) and split by `index.chunk.split_sentences`. A positive holds the answer "
        "text (case, accents, punctuation folded; whole words); hard negatives are the other "
        "sentences of the question's pages sharing the most words with the question.",
        f"- Fit on {tr.get('fit_questions', '?')} questions; {tr.get('held_out_questions', '?')} "
        f"of {len(tr.get('held_out_weeks', []))} whole train weeks held out to pick the epoch. "
        "Dev (realtimeqa `dev.jsonl`, 2025) is used only for the figures below.",
        "",
        "## Settings",
        "",
        *_table(["setting", "value"], [[k, f"`{v}`"] for k, v in cfg.items()]),
        "",
        "Per epoch: "
        + "; ".join(
            f"epoch {h['epoch']}: loss {h['loss']}, held-out top-1 | top-30 "
            f"{h.get('held_top1_in_30', '-')} ({h['seconds']:.0f} s)"
            for h in tr.get("history", [])
        )
        + ".",
        "",
    ]
    if dev.get("rows"):
        out += [
            "## Dev figures",
            "",
            "Each dev question's own pages' sentences, ranked by word overlap; the top k "
            "reranked; right when the top sentence holds the answer. *top-1* counts every "
            "answerable dev question, *top-1 | in top-k* those whose answer is among the k.",
            "",
            *_table(
                ["scorer", "k", "top-1", "top-1 given in top-k", "questions (in top-k)"],
                [
                    [
                        r["scorer"],
                        r["k"],
                        _f(r["top1"]),
                        _f(r["top1_in_k"]),
                        f"{r['n']} ({r['n_in_k']})",
                    ]
                    for r in dev["rows"]
                ],
            ),
            "",
        ]
    out += [
        "## Size and speed",
        "",
        f"- {meta.get('size_mb', '?')} MB on disk (weights, config, tokenizer).",
    ]
    if "ms_per_30_pairs" in dev:
        out.append(
            f"- {dev['ms_per_30_pairs']} ms to score 30 dev pairs in one call (median, 2 CPU "
            f"cores, runtime {dev.get('runtime')}), measured when this card was written."
        )
    if tr.get("seconds"):
        minutes = tr["seconds"] / 60
        out.append(f"- Training run: {minutes:.1f} min on 2 cores, mining and dev included.")
    if meta.get("frontier"):
        out += [
            "",
            "## Accuracy / latency frontier (dev)",
            "",
            meta.get("frontier_note", ""),
            "",
            *frontier_table(meta["frontier"]),
        ]
    out += [
        "",
        "## Reproduce",
        "",
        "```bash",
        meta.get("command", "qa train --data ../shared/benchmarks/realtimeqa"),
        "```",
        "",
        "Deterministic given the seed, the data and the machine's thread count "
        f"(torch {tr.get('torch', '?')}, transformers {tr.get('transformers', '?')}).",
        "",
    ]
    return "\n".join(out)
