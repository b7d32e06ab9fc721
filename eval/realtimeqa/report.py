"""Present a realtimeqa run: console tables, ``report.json`` / ``report.md`` / ``chart.png``
under ``eval/reports/<time>/``, and the comparison with ``eval/baseline-realtimeqa.json``.

The baseline file holds one product row per run kind (:attr:`RtqaConfig.key`: split, block
size, which weeks, dates given or not), so a one-week CI run and an ``--all-blocks`` run are
each compared with their own kind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.realtimeqa.score import QWORDS
from eval.report import REPORTS, Published, Regression, compare_baseline, format_table

__all__ = ["BASELINE_RTQA", "COLUMNS_RTQA", "publish_realtimeqa"]

BASELINE_RTQA = Path(__file__).parents[1] / "baseline-realtimeqa.json"
COLUMNS_RTQA: tuple[tuple[str, str], ...] = (
    ("accuracy", "acc"),
    ("strict", "strict"),
    ("em", "EM"),
    ("rejection", "rej"),
    ("false_refusal", "FR"),
    ("gold_cited", "gold"),
    ("hit@5", "H@5"),
    ("recall@5", "R@5"),
    ("recall@10", "R@10"),
    ("answer_words", "words"),
    ("latency_p50_ms", "p50ms"),
    ("latency_p95_ms", "p95ms"),
)
COMPARED: tuple[str, ...] = ("accuracy", "strict", "em", "rejection", "false_refusal", "gold_cited")
COMPARED += ("recall@5",)


def _rows(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {name: report["summary"][name] for name in report["systems"]}


def _format_note(report: Mapping[str, Any]) -> str:
    fmt = report.get("page_format", "text")
    return "" if fmt == "text" else f", pages written as {fmt}"


def _headline(report: Mapping[str, Any]) -> str:
    blocks = report["blocks"]
    weeks = f"{blocks[-1]['weeks'][0]}-{blocks[0]['weeks'][-1]}" if blocks else "-"
    kind = f"{len(blocks)} blocks of {report['weeks_per_block']} weeks, mean over blocks"
    kind = kind if report["all_blocks"] else f"{report['weeks_per_block']} weeks"
    return (
        f"realtimeqa {report['split']} ({kind}; weeks {weeks}"
        f"{', publish dates given' if report['with_dates'] else ''}"
        f"{_format_note(report)}): "
        f"{report['n_positive']} answerable + {report['n_negative']} unanswerable questions, "
        f"{report['pages']} pages -> {report['articles']} articles, {report['chunks']} chunks; "
        f"data {report['data_version']} ({report['seconds']}s)"
    )


def _qword_table(summary: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    rows = {}
    for w in QWORDS:
        cell = summary["by_qword"][w]
        rows[w] = {"n": float(cell["n_positive"]), **cell}
    return rows


def _dates_line(report: Mapping[str, Any]) -> str:
    parts = []
    for b in report["blocks"]:
        x = b["dates"]

        def pct(v: float | None) -> str:
            return "-" if v is None else f"{v:.0%}"

        parts.append(
            f"{b['key']}: {x['pages']} pages; dated by the scraper {pct(x['scraper_dated'])}, "
            f"by the indexer {pct(x['extracted_dated'])}; where both: same day "
            f"{pct(x['same_day'])}, same month {pct(x['same_month'])}, "
            f"wrong year {x['wrong_year']}; scraper contradicted by the URL {x['scraper_wrong']}"
        )
    return "\n".join(parts)


def _errors_text(summary: Mapping[str, Any]) -> list[str]:
    return [f"  {n:4d}  {name}" for name, n in summary["errors"].items()]


def _spread_text(report: Mapping[str, Any]) -> list[str]:
    lines = []
    for name in report["systems"]:
        s = report["spread"].get(name, {})
        cells = [
            f"{label} {s[k]['std']:.3f} [{s[k]['min']:.3f}-{s[k]['max']:.3f}]"
            for k, label in COLUMNS_RTQA[:6]
            if k in s
        ]
        lines.append(f"  {name}: " + "; ".join(cells))
    return lines


def _markdown(report: Mapping[str, Any], regressions: Sequence[Regression]) -> str:
    from eval.report import _md_table

    rows = _rows(report)
    keys = [k for k, _ in COLUMNS_RTQA]
    parts = [f"# qa eval --benchmark realtimeqa, {report['created']}", "", _headline(report)]
    parts += ["", "## Systems", "", _md_table(rows, keys)]
    if regressions:
        parts += ["", "**Regressions vs the baseline:** " + "; ".join(map(str, regressions))]
    if report["all_blocks"]:
        parts += ["", "## Spread over blocks (std [min-max])", "", *_spread_text(report)]
        parts += ["", "| block | " + " | ".join(report["systems"]) + " |"]
        parts += ["|---" * (len(report["systems"]) + 1) + "|"]
        for b in report["blocks"]:
            cells = [
                f"{b['systems'][n]['metrics'].get('accuracy') or 0:.3f}" for n in report["systems"]
            ]
            parts.append(f"| {b['key']} (acc) | " + " | ".join(cells) + " |")
    if "product" in rows:
        parts += ["", "## Product by question word (pooled)", ""]
        parts.append(_md_table(_qword_table(rows["product"]), ["n", "accuracy", "strict"]))
        parts += ["", "## What the product gets wrong (pooled counts)", ""]
        parts += [f"- {n}: {name}" for name, n in rows["product"]["errors"].items()]
    parts += ["", "## Dates: indexer vs scraper", "", _dates_line(report), ""]
    for b in report["blocks"][:1]:
        parts += ["| page | scraper | extracted | source | URL date |", "|---|---|---|---|---|"]
        for x in b["dates"]["disagreements"][:20]:
            parts.append(
                f"| {x['id']} | {x['scraper']} | {x['extracted']} | {x['date_source']} | "
                f"{x['url_date'] or '–'} |"
            )
    parts += ["", "Per-question records are in report.json."]
    return "\n".join(parts) + "\n"


def _chart(report: Mapping[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [k for k, _ in COLUMNS_RTQA[:9]]
    rows = _rows(report)
    fig, ax = plt.subplots(figsize=(12, 4.2))
    width = 0.8 / max(len(rows), 1)
    for i, (name, r) in enumerate(rows.items()):
        xs = [j + (i - (len(rows) - 1) / 2) * width for j in range(len(keys))]
        ax.bar(xs, [r.get(k) or 0.0 for k in keys], width, label=name)
    ax.set_xticks(range(len(keys)), keys, fontsize=8)
    ax.set_ylim(0, 1.15)
    ax.set_title(_headline(report)[:110], fontsize=8)
    ax.legend(ncol=len(rows), fontsize=8, loc="upper center")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"runs": {}}
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {"runs": {}}
    data.setdefault("runs", {})
    return data


def publish_realtimeqa(
    report: Mapping[str, Any],
    reports_dir: Path = REPORTS,
    baseline_path: Path = BASELINE_RTQA,
    update_baseline: bool = False,
    floors: Mapping[str, float] | None = None,
) -> Published:
    """Write the report, compare the product row with its baseline kind, check the floors."""
    from eval.report import write_report
    from eval.run import check_floors

    rows = _rows(report)
    product = rows.get("product")
    baseline = _load(baseline_path)
    entry = baseline["runs"].get(report["key"])
    regressions: list[Regression] = []
    if product is not None and entry is not None:
        regressions = compare_baseline(
            {k: product.get(k) for k in COMPARED}, entry.get("metrics", {})
        )
    lines = [_headline(report), format_table(rows, COLUMNS_RTQA, {"product": set()})]
    if report["all_blocks"]:
        lines += ["\nspread over blocks, std [min-max]:", *_spread_text(report)]
    if product is not None:
        lines += ["\nproduct by question word (answerable questions, pooled):"]
        lines.append(format_table(_qword_table(product), [("n", "n"), ("accuracy", "acc"),
                                                           ("strict", "strict")]))  # fmt: skip
        lines += ["\nwhat the product gets wrong (pooled counts):", *_errors_text(product)]
    lines += ["\ndates (indexer vs scraper):", _dates_line(report)]
    if product is not None and entry is None and not update_baseline:
        lines.append(
            f"\nno baseline for {report['key']} in {baseline_path}: "
            "run with --update-baseline to record one"
        )
    elif entry is not None:
        lines.append(f"\ncompared with the baseline for {report['key']} of {entry['created']}")
    lines += [f"REGRESSION vs baseline: {r}" for r in regressions]
    out = write_report(report, reports_dir, regressions, markdown=_markdown, chart=_chart)
    lines.append(f"\nwrote {out}/report.json, report.md, chart.png")
    if update_baseline and product is not None:
        baseline["runs"][report["key"]] = {
            "created": report["created"],
            "data_version": report["data_version"],
            "n_positive": report["n_positive"],
            "n_negative": report["n_negative"],
            "metrics": {k: round(product[k], 4) for k in COMPARED if product.get(k) is not None},
        }
        baseline_path.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
        lines.append(f"updated {baseline_path} ({report['key']})")
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
