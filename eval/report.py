"""Present a ``qa eval`` run: the console table, ``report.json``, ``report.md``, a PNG chart,
and the comparison of the product row with the committed ``eval/baseline.json``.

A metric of the product row that moved the wrong way by more than ``TOLERANCE`` since the
baseline is a regression: its table cell is marked ``!`` and a line names it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "BASELINE",
    "COLUMNS",
    "REPORTS",
    "TOLERANCE",
    "Published",
    "Regression",
    "baseline_from",
    "compare_baseline",
    "format_table",
    "load_baseline",
    "publish",
    "write_report",
]

log = logging.getLogger(__name__)

BASELINE = Path(__file__).with_name("baseline.json")
REPORTS = Path(__file__).with_name("reports")
TOLERANCE = 0.02

COLUMNS: tuple[tuple[str, str], ...] = (
    ("accuracy", "acc"),
    ("f1", "F1"),
    ("gold_cited", "gold"),
    ("citation_recall", "citR"),
    ("citation_precision", "citP"),
    ("rejection", "rej"),
    ("false_refusal", "FR"),
    ("false_premise_handled", "fprem"),
    ("comment_only_handled", "cmt"),
    ("temporal_accuracy", "temp"),
    ("stale_rate", "stale"),
    ("art_mrr@10", "aMRR"),
    ("ev_mrr@10", "eMRR"),
    ("ev_recall@5", "eR@5"),
    ("answer_words", "words"),
    ("latency_p50_ms", "p50ms"),
    ("latency_p95_ms", "p95ms"),
)
"""Key metrics shown in the console table (report.md and report.json hold all of them)."""

LOWER_IS_BETTER = frozenset({"false_refusal", "stale_rate"})
NOT_COMPARED = ("latency", "answer_words", "n")  # machine- or style-dependent, not quality


@dataclass(frozen=True)
class Regression:
    metric: str
    baseline: float
    current: float

    def __str__(self) -> str:
        return f"{self.metric} {self.baseline:.3f} -> {self.current:.3f}"


def _cell(value: float | None, key: str) -> str:
    if value is None:
        return "-"
    if key.startswith("latency") or key in ("answer_words", "n"):
        return f"{value:.0f}"
    return f"{value:.3f}"


def format_table(
    rows: Mapping[str, Mapping[str, float | None]],
    columns: Sequence[tuple[str, str]] = COLUMNS,
    flagged: Mapping[str, set[str]] | None = None,
) -> str:
    """Rows = systems, columns = metrics; a flagged cell gets a trailing ``!``.

    >>> print(format_table({"product": {"accuracy": 0.9}}, [("accuracy", "acc")],
    ...                    {"product": {"accuracy"}}))
    system   acc
    product  0.900!
    """
    flagged = flagged or {}
    header = ["system", *(label for _, label in columns)]
    body = [
        [
            name,
            *(
                _cell(r.get(k), k) + ("!" if k in flagged.get(name, set()) else "")
                for k, _ in columns
            ),
        ]
        for name, r in rows.items()
    ]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *body]
    ]
    return "\n".join(lines)


def _comparable(key: str) -> bool:
    return not key.startswith(NOT_COMPARED)


def compare_baseline(
    current: Mapping[str, float | None], baseline: Mapping[str, float | None]
) -> list[Regression]:
    """Metrics that got worse by more than ``TOLERANCE`` (higher is better, except a few).

    >>> compare_baseline({"accuracy": 0.90, "false_refusal": 0.0}, {"accuracy": 0.95,
    ...                  "false_refusal": 0.0})
    [Regression(metric='accuracy', baseline=0.95, current=0.9)]
    """
    out = []
    for key, old in baseline.items():
        new = current.get(key)
        if old is None or new is None or not _comparable(key):
            continue
        drop = (new - old) if key in LOWER_IS_BETTER else (old - new)
        if drop > TOLERANCE + 1e-9:
            out.append(Regression(key, old, new))
    return out


def load_baseline(path: Path = BASELINE) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        log.warning("ignoring unreadable baseline %s: %s", path, e)
        return None
    return data


def baseline_from(report: Mapping[str, Any]) -> dict[str, Any]:
    """The product row of a clean run, in the shape of ``eval/baseline.json``."""
    metrics = report["clean"]["product"]["metrics"]
    return {
        "created": report["created"],
        "system": "product",
        "questions_file": Path(report["questions_file"]).name,
        "n_questions": report["n_questions"],
        "embedding_model": report["embedding_model"],
        "metrics": {
            k: (round(v, 4) if v is not None else None)
            for k, v in metrics.items()
            if _comparable(k)
        },
    }


def _md_table(
    rows: Mapping[str, Mapping[str, float | None]], keys: Sequence[str], signed: bool = False
) -> str:
    def cell(v: float | None, k: str) -> str:
        if v is None:
            return "–"
        if signed:
            return f"{v:+.0f}" if k.startswith("latency") or k == "answer_words" else f"{v:+.3f}"
        return _cell(v, k)

    lines = ["| metric | " + " | ".join(rows) + " |", "|---" * (len(rows) + 1) + "|"]
    for k in keys:
        lines.append(f"| {k} | " + " | ".join(cell(r.get(k), k) for r in rows.values()) + " |")
    return "\n".join(lines)


def _markdown(report: Mapping[str, Any], regressions: Sequence[Regression]) -> str:
    clean = {n: v["metrics"] for n, v in report["clean"].items()}
    keys = list(dict.fromkeys(k for r in clean.values() for k in r))
    cats = ", ".join(f"{c}: {n}" for c, n in report["categories"].items())
    parts = [
        f"# qa eval, {report['created']}",
        "",
        f"{report['n_questions']} questions ({cats}) "
        f"from `{report['questions_file']}` over `{report['corpus']}` "
        f"({report['clean_chunks']} chunks); embedding model {report['embedding_model']}.",
    ]
    if "judge_agreement" in report:
        parts.append(
            f"Support judge agreement on the labelled pairs: {report['judge_agreement']:.3f}."
        )
    parts += ["", "## Clean", "", _md_table(clean, keys)]
    if regressions:
        parts += [
            "",
            "**Regressions of the product row against eval/baseline.json:** "
            + "; ".join(str(r) for r in regressions),
        ]
    if "distractors" in report:
        noisy = {n: v["metrics"] for n, v in report["distractors"].items()}
        parts += [
            "",
            f"## With 300 distractor articles ({report['distractors_chunks']} chunks)",
            "",
            _md_table(noisy, keys),
            "",
            "## Change (distractors − clean)",
            "",
            _md_table(report["delta"], [k for k in keys if k != "n"], signed=True),
        ]
    if "calibration" in report:
        parts += [
            "",
            "## Abstain threshold sweep (product, clean)",
            "",
            "| threshold | accuracy | false refusal | rejection | rejection (all) |",
            "|---|---|---|---|---|",
        ]
        for row in report["calibration"]:
            parts.append(
                "| "
                + " | ".join(
                    _cell(row[k], k)
                    for k in (
                        "threshold",
                        "accuracy",
                        "false_refusal",
                        "rejection",
                        "rejection_all",
                    )
                )
                + " |"
            )
    parts += ["", "Per-question records are in report.json."]
    return "\n".join(parts) + "\n"


CHART_METRICS = (
    "accuracy",
    "gold_cited",
    "citation_precision",
    "citation_recall",
    "rejection",
    "false_premise_handled",
    "comment_only_handled",
    "temporal_accuracy",
    "art_mrr@10",
    "ev_mrr@10",
)


def write_chart(report: Mapping[str, Any], path: Path) -> Path:
    """Grouped bars, one group per metric, one bar per system (a second panel: distractors)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [r for r in ("clean", "distractors") if r in report]
    fig, axes = plt.subplots(len(runs), 1, figsize=(13, 4.2 * len(runs)), squeeze=False)
    for ax, run in zip(axes[:, 0], runs, strict=True):
        names = list(report[run])
        width = 0.8 / max(len(names), 1)
        for i, name in enumerate(names):
            values = [report[run][name]["metrics"].get(k) or 0.0 for k in CHART_METRICS]
            xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(CHART_METRICS))]
            ax.bar(xs, values, width, label=name)
        ax.set_xticks(
            range(len(CHART_METRICS)),
            [k.replace("_", " ") for k in CHART_METRICS],
            rotation=20,
            ha="right",
            fontsize=8,
        )
        ax.set_ylim(0, 1.22)
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.set_title(f"qa eval: {run}")
        ax.legend(ncol=len(names), fontsize=8, loc="upper center")
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(
    report: Mapping[str, Any],
    reports_dir: Path,
    regressions: Sequence[Regression] = (),
    markdown: Callable[[Mapping[str, Any], Sequence[Regression]], str] | None = None,
    chart: Callable[[Mapping[str, Any], Path], object] | None = None,
) -> Path:
    """Write report.json, report.md and chart.png under ``reports_dir/<timestamp>/``
    (``markdown`` and ``chart`` draw the last two; by default, the seed benchmark's)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = reports_dir / stamp
    n = 1
    while out.exists():
        n += 1
        out = reports_dir / f"{stamp}-{n}"
    out.mkdir(parents=True)
    data = dict(report)
    data["regressions"] = [r.__dict__ for r in regressions]
    (out / "report.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out / "report.md").write_text((markdown or _markdown)(report, regressions), encoding="utf-8")
    (chart or write_chart)(report, out / "chart.png")
    return out


@dataclass(frozen=True)
class Published:
    """What ``qa eval`` shows and returns: the console text, the report folder, the exit code."""

    text: str
    report_dir: Path
    exit_code: int
    regressions: tuple[Regression, ...]


def publish(
    report: Mapping[str, Any],
    reports_dir: Path = REPORTS,
    baseline_path: Path = BASELINE,
    update_baseline: bool = False,
    floors: Mapping[str, float] | None = None,
) -> Published:
    """Write the report, compare with the baseline, check the floors; the tables as text.

    ``exit_code`` is 1 when the product row is below a floor (or floors were given without
    the product row), else 0.
    """
    from eval.run import check_floors

    baseline = load_baseline(baseline_path)
    product = report["clean"].get("product", {}).get("metrics")
    regressions: list[Regression] = []
    if product is not None and baseline is not None:
        regressions = compare_baseline(product, baseline.get("metrics", {}))
    flagged = {"product": {r.metric for r in regressions}}
    clean = {n: v["metrics"] for n, v in report["clean"].items()}
    lines = [
        f"{report['n_questions']} questions, {report['clean_chunks']} chunks "
        f"({report['seconds']}s)",
        format_table(clean, flagged=flagged),
    ]
    if "distractors" in report:
        lines += [
            f"\nwith 300 distractor articles ({report['distractors_chunks']} chunks):",
            format_table({n: v["metrics"] for n, v in report["distractors"].items()}),
            "\nchange (distractors - clean):",
            format_table(report["delta"]),
        ]
    if "calibration" in report:
        rows = {f"t={r['threshold']:.2f}": r for r in report["calibration"]}
        lines += [
            "\nabstain threshold sweep (product):",
            format_table(
                rows,
                [
                    ("accuracy", "acc"),
                    ("false_refusal", "FR"),
                    ("rejection", "rej"),
                    ("rejection_all", "rej_all"),
                ],
            ),
        ]
    if baseline is None and product is not None and not update_baseline:
        lines.append(f"\nno baseline at {baseline_path}: run with --update-baseline to record one")
    lines += [f"REGRESSION vs baseline: {r}" for r in regressions]
    out = write_report(report, reports_dir, regressions)
    lines.append(f"\nwrote {out}/report.json, report.md, chart.png")
    if update_baseline:
        if product is None:
            lines.append("not updating the baseline: the product row was not run")
        else:
            baseline_path.write_text(
                json.dumps(baseline_from(report), indent=2) + "\n", encoding="utf-8"
            )
            lines.append(f"updated {baseline_path}")
    code = 0
    if floors:
        failed = (
            check_floors(product, floors)
            if product is not None
            else ["floors apply to the product row; include it: --systems product"]
        )
        lines += [f"FAIL: {line}" for line in failed]
        code = 1 if failed else 0
    return Published("\n".join(lines), out, code, tuple(regressions))
