"""The accuracy / rejection frontier of a learned run, from one benchmark report.

Run the benchmark once with ``QA_ANSWER_THRESHOLD=0`` (the learned product always answers
when it has evidence, and records its calibrated confidence), then apply every threshold
to the recorded answers: a question is answered at threshold ``t`` when it was answered at
0 and its confidence reaches ``t``. That is exactly what a run at ``t`` gives, since the
threshold only decides whether the composed answer is shown.

    python -m eval.realtimeqa.sweep eval/reports/<time>/report.json [--system product]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["at_threshold", "main", "sweep", "table"]

THRESHOLDS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)
METRICS = ("accuracy", "strict", "em", "rejection", "false_refusal")


def at_threshold(records: Sequence[Mapping[str, Any]], t: float) -> dict[str, float | None]:
    """One block's metrics had the decision used threshold ``t``.

    >>> recs = [{"positive": True, "abstained": False, "confidence": 0.4, "accuracy": 1.0,
    ...          "strict": 1.0, "em": None},
    ...         {"positive": False, "abstained": False, "confidence": 0.2}]
    >>> at_threshold(recs, 0.3)["rejection"], at_threshold(recs, 0.5)["accuracy"]
    (1.0, 0.0)
    """

    def answered(r: Mapping[str, Any]) -> bool:
        conf = r.get("confidence")
        return not r["abstained"] and (conf is None or conf >= t)

    pos = [r for r in records if r["positive"]]
    neg = [r for r in records if not r["positive"]]
    out: dict[str, float | None] = {}
    for key in ("accuracy", "strict", "em"):
        values = [float(answered(r) and bool(r[key])) for r in pos if r.get(key) is not None]
        out[key] = sum(values) / len(values) if values else None
    out["false_refusal"] = sum(not answered(r) for r in pos) / len(pos) if pos else None
    out["rejection"] = sum(not answered(r) for r in neg) / len(neg) if neg else None
    return out


def sweep(
    report: Mapping[str, Any], system: str = "product", thresholds: Sequence[float] = THRESHOLDS
) -> list[dict[str, Any]]:
    """Per threshold, the mean over blocks of each metric (as ``--all-blocks`` reports)."""
    rows = []
    for t in thresholds:
        per_block = [
            at_threshold(b["systems"][system]["questions"], t)
            for b in report["blocks"]
            if system in b["systems"]
        ]
        row: dict[str, Any] = {"threshold": t}
        for key in METRICS:
            values = [v for m in per_block if (v := m[key]) is not None]
            row[key] = sum(values) / len(values) if values else None
        rows.append(row)
    return rows


def table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as a Markdown table."""
    head = "| threshold | " + " | ".join(METRICS) + " |"
    lines = [head, "|" + "---|" * (len(METRICS) + 1)]
    for r in rows:
        cells = ["–" if r[k] is None else f"{r[k]:.3f}" for k in METRICS]
        lines.append(f"| {r['threshold']:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    system = "product"
    if "--system" in args:
        i = args.index("--system")
        system = args[i + 1]
        del args[i : i + 2]
    if len(args) != 1 or not Path(args[0]).is_file():
        print("usage: python -m eval.realtimeqa.sweep REPORT.json [--system NAME]")
        return 2
    report = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    print(table(sweep(report, system)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
