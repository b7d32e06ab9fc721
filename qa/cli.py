"""The ``qa`` command line: one small function per subcommand, dispatched by name.

    qa index seeds/                 # build or update the index (incremental)
    qa index seeds/ --rebuild       # start over
    qa ask "Who leads Venezuela now?" [--json] [--since 2024] [--comments]
    qa chat [--host 127.0.0.1] [--port 7860] [--auth user:password]

Add a subcommand by writing ``_add_<name>(parser)`` and ``cmd_<name>(args) -> int`` and
registering both in ``COMMANDS``. Heavy libraries are imported inside the commands, so
``qa --help`` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from index.errors import UserError

if TYPE_CHECKING:
    from qa.settings import Settings

log = logging.getLogger("qa")


class Command(NamedTuple):
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def folder(text: str) -> Path:
    """An argparse type for a folder a command writes into: it need not exist yet (it is
    made when needed), but neither it nor a folder above it may be a file; refused before
    any work starts, so a long run does not fail at its end.

    >>> folder("reports/new")
    PosixPath('reports/new')
    """
    path = Path(text)
    for at in (path, *path.parents):
        if at.exists():
            if not at.is_dir():
                raise argparse.ArgumentTypeError(f"{at} is a file, not a folder: name a folder")
            break
    return path


def baseline_file(text: str) -> Path:
    """An argparse type for ``--baseline``: a file that need not exist yet (the run writes
    it with ``--update-baseline``), but one that exists must be a JSON object, or the run
    would compare with nothing and say so only in a log line."""
    import json

    path = Path(text)
    if path.exists():
        try:
            ok = isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            ok = False
        if not ok:
            raise argparse.ArgumentTypeError(
                f"{text} is not a baseline (a JSON file written by --update-baseline): "
                "fix it, delete it, or name another file"
            )
    return path


def whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type for a whole number from ``low`` (to ``high``), refused by the parser.

    >>> whole(1, 6)("3"), whole(1)("12")
    (3, 12)
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {span} (got {value})")
        return value

    return parse


def positive(text: str) -> float:
    """An argparse type for a number above 0 (a learning rate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0 (got {text})")
    return value


def make_settings(**flags: Any) -> Settings:
    """Settings from defaults, then ``QA_*`` env vars, then the flags that were given."""
    from pydantic import ValidationError

    from qa.settings import Settings

    given = {k: v for k, v in flags.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in e.errors()
        )
        raise UserError(f"Invalid setting ({problems}). Fix the flag or QA_* variable.") from e


def _add_index(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "folder", nargs="?", type=Path, help="folder of .txt/.md articles (default: seeds/)"
    )
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    p.add_argument("--chroma-url", help="use a Chroma server at http://host:port")
    p.add_argument("--data-dir", type=folder, help="where the local index lives (default: .qa)")
    p.add_argument("--chunk-tokens", type=int, help="cl100k tokens per chunk (default: 200)")
    p.add_argument("--chunk-overlap", type=int, help="overlap tokens between chunks (default: 40)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_index(args: argparse.Namespace) -> int:
    """Build or update the index; exit 2 when some files were refused (the rest is indexed)."""
    from index.config import set_offline_env

    set_offline_env()
    import dataclasses
    import time

    from index.build import sync
    from index.embed import get_embedder
    from index.ingest import load_corpus
    from index.store import open_store

    settings = make_settings(
        corpus_dir=args.folder,
        chroma_url=args.chroma_url,
        data_dir=args.data_dir,
        chunk_tokens=args.chunk_tokens,
        chunk_overlap=args.chunk_overlap,
    )
    t0 = time.perf_counter()
    corpus = load_corpus(settings.corpus_dir, settings)  # a bad folder fails before any change
    embedder = get_embedder(settings)
    store = open_store(settings, embedder, create=True, rebuild=args.rebuild)
    report = sync(
        settings.corpus_dir, settings, embedder, store, progress=not args.quiet, corpus=corpus
    )
    report = dataclasses.replace(report, seconds=time.perf_counter() - t0)
    print(report.summary())
    for fmt, (read, dated) in corpus.by_format().items():  # e.g. "  jsonl: 300 read, 300 dated"
        print(f"  {fmt}: {read} read, {dated} dated")
    for kept, dropped in report.duplicates:
        print(f"Duplicate: {dropped} has the same content as {kept}; indexed once, as {kept}.")
    for line in report.warnings:
        print(f"warning: {line}", file=sys.stderr)
    refused = [w for w in report.warnings if w.startswith("Skipped")]
    return 2 if refused else 0


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, help="folder of articles (default: seeds/)")
    p.add_argument("--data-dir", type=folder, help="where the local index lives (default: .qa)")
    p.add_argument("--chroma-url", help="use a Chroma server at http://host:port")


def _add_ask(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", help="the question, in quotes")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--since", help="only articles dated on/after (YYYY, YYYY-MM or YYYY-MM-DD)")
    p.add_argument("--until", help="only articles dated on/before (YYYY, YYYY-MM or YYYY-MM-DD)")
    p.add_argument("--article", action="append", dest="articles", help="restrict to article id")
    p.add_argument("--comments", action="store_true", help="let reader comments be searched")
    p.add_argument("--mode", choices=["extractive", "generative"], help="answer mode")
    p.add_argument("-k", "--top-k", type=int, help="number of sources (1-20, default 5)")
    _add_common(p)


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question; readable by default, the stable JSON shape with --json."""
    import json

    from qa.assistant import Assistant
    from qa.render import render_text

    settings = make_settings(
        corpus_dir=args.corpus, data_dir=args.data_dir, chroma_url=args.chroma_url
    )
    bot = Assistant(settings)
    try:
        answer = bot.ask(
            args.question,
            since=args.since,
            until=args.until,
            articles=args.articles,
            allow_comments=True if args.comments else None,
            mode=args.mode,
            top_k=args.top_k,
        )
    except ValueError as e:
        raise UserError(str(e)) from e
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_text(answer))
    return 0


def _add_chat(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="address to serve on (default 127.0.0.1; QA_HOST)")
    p.add_argument("--port", type=int, help="port (default 7860; QA_PORT)")
    p.add_argument("--auth", help="require user:password (QA_AUTH)")
    p.add_argument("--share", action="store_true", help="also open a public Gradio share link")
    _add_common(p)


def cmd_chat(args: argparse.Namespace) -> int:
    """Build the index if missing, then serve the chat page."""
    from ui.app import serve

    settings = make_settings(
        corpus_dir=args.corpus,
        data_dir=args.data_dir,
        chroma_url=args.chroma_url,
        host=args.host,
        port=args.port,
        auth=args.auth,
    )
    serve(settings, share=args.share)
    return 0


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(x.replace("_", "").replace("k", "000")) for x in text.split(",") if x)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give chunk counts like 1000,10000") from None
    if not sizes or min(sizes) < 50:
        raise argparse.ArgumentTypeError("sizes must be chunk counts of at least 50")
    return sizes


def _add_bench(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=(1000, 10000),
        help="corpus sizes in chunks, comma-separated (default 1000,10000; 50000 is slow)",
    )
    p.add_argument("--queries", type=whole(1), default=30, help="timed questions per size (30)")
    p.add_argument(
        "--recall-queries", type=whole(1), default=100, help="queries for recall@10 (100)"
    )
    p.add_argument("--chroma-server", action="store_true", help="also bench a local chroma run")
    p.add_argument("--no-naive", action="store_true", help="skip the naive llama-index pipeline")
    p.add_argument(
        "--no-cold-start", action="store_true", help="skip timing qa ask in a new process"
    )
    p.add_argument("--profile", action="store_true", help="profile warm asks near 10k chunks")
    p.add_argument("--reports", type=folder, help="reports folder (default eval/reports)")
    p.add_argument(
        "--work-dir", type=folder, help="where temporary corpora go (default: system tmp)"
    )
    p.add_argument("--data-dir", type=folder, help="data dir holding the embedding cache (.qa)")


def cmd_bench(args: argparse.Namespace) -> int:
    """Measure indexing and query performance at growing corpus sizes; print a table."""
    from index.config import set_offline_env

    set_offline_env()
    from eval.bench import BenchConfig, run_bench
    from eval.bench_report import format_tables

    settings = make_settings(data_dir=args.data_dir)
    config = BenchConfig(
        sizes=args.sizes,
        queries=args.queries,
        recall_queries=args.recall_queries,
        cache_dir=settings.data_dir / "bench-cache",
        naive=not args.no_naive,
        chroma_server=args.chroma_server,
        cold_start=not args.no_cold_start,
        profile=args.profile,
        work_dir=args.work_dir,
        **({"reports_dir": args.reports} if args.reports else {}),
    )
    result = run_bench(config, settings)
    print(format_tables(result))
    print(
        f"Wrote {result['report_dir']}/bench.json" + (" and latency.png" if result["plot"] else "")
    )
    return 0


def _systems(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))
    if not names:
        raise argparse.ArgumentTypeError("give system names like product,naive")
    return names


def _add_eval(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--systems",
        type=_systems,
        help="rows to run, comma-separated (default all: bm25,dense,hybrid,product,naive)",
    )
    p.add_argument("--questions", type=Path, help="question file (default eval/questions.jsonl)")
    p.add_argument("--corpus", type=Path, help="folder of articles (default: seeds/)")
    p.add_argument(
        "--distractors", action="store_true", help="re-run with 300 ABC news articles added"
    )
    p.add_argument("--calibrate", action="store_true", help="sweep the product's abstain threshold")
    p.add_argument("--reports", type=folder, help="reports folder (default eval/reports)")
    p.add_argument(
        "--baseline", type=baseline_file, help="baseline file (default eval/baseline.json)"
    )
    p.add_argument("--update-baseline", action="store_true", help="record the product row")
    p.add_argument("--min-accuracy", type=float, help="exit 1 if product accuracy is below")
    p.add_argument(
        "--min-citation-precision", type=float, help="exit 1 if citation precision is below"
    )
    p.add_argument("--min-rejection", type=float, help="exit 1 if rejection is below")
    p.add_argument("--min-strict", type=float, help="exit 1 if strict accuracy is below")
    p.add_argument(
        "--min-em", type=float, help="exit 1 if short-answer exact match is below (realtimeqa)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    rt = p.add_argument_group("realtimeqa (--benchmark realtimeqa)")
    rt.add_argument(
        "--benchmark",
        choices=["seeds", "realtimeqa"],
        default="seeds",
        help="seeds: the known questions (default); realtimeqa: real news questions and pages",
    )
    rt.add_argument("--data", type=Path, help="the data folder (../shared/benchmarks/realtimeqa)")
    rt.add_argument("--split", choices=["dev", "train"], default="dev", help="(default dev)")
    rt.add_argument("--weeks", type=int, default=6, help="consecutive weeks pooled (default 6)")
    rt.add_argument("--weeks-from", help="first week (YYYYMMDD; default: the most recent)")
    rt.add_argument("--all-blocks", action="store_true", help="every week, in blocks of --weeks")
    rt.add_argument("--with-dates", action="store_true", help="give the pages' dates as metadata")
    rt.add_argument(
        "--format",
        dest="page_format",
        choices=["text", "markdown", "jsonl"],
        default="text",
        help="write the pages as text files (default), Markdown with front matter, or JSONL",
    )
    rt.add_argument("--work-dir", type=folder, help="corpora and indexes (default .qa/realtimeqa)")
    p.add_argument(
        "--temporal",
        action="store_true",
        help="facts that changed over time, in five phrasings (--questions, default "
        "eval/temporal.jsonl; pages from --data)",
    )


def _floors(args: argparse.Namespace) -> dict[str, float]:
    given = {
        "accuracy": args.min_accuracy,
        "citation_precision": args.min_citation_precision,
        "rejection": args.min_rejection,
        "strict": args.min_strict,
        "em": args.min_em,
    }
    return {k: v for k, v in given.items() if v is not None}


def cmd_eval_realtimeqa(args: argparse.Namespace) -> int:
    """``qa eval --benchmark realtimeqa``: the pooled pages of some weeks, their questions."""
    from eval.realtimeqa.data import DEFAULT_DATA
    from eval.realtimeqa.report import BASELINE_RTQA, publish_realtimeqa
    from eval.realtimeqa.run import RT_SYSTEMS, RtqaConfig, run_realtimeqa
    from eval.report import REPORTS

    settings = make_settings()
    config = RtqaConfig(
        data=args.data or DEFAULT_DATA,
        split=args.split,
        weeks=args.weeks,
        weeks_from=args.weeks_from,
        all_blocks=args.all_blocks,
        with_dates=args.with_dates,
        page_format=args.page_format,
        systems=args.systems or RT_SYSTEMS,
        work_dir=args.work_dir,
        progress=not args.quiet,
    )
    report = run_realtimeqa(config, settings)
    result = publish_realtimeqa(
        report,
        reports_dir=args.reports or REPORTS,
        baseline_path=args.baseline or BASELINE_RTQA,
        update_baseline=args.update_baseline,
        floors=_floors(args),
    )
    print(result.text)
    return result.exit_code


def cmd_eval_temporal(args: argparse.Namespace) -> int:
    """``qa eval --temporal``: present-time questions from the newest page, past from theirs."""
    import json

    from eval.realtimeqa.data import DEFAULT_DATA
    from eval.report import REPORTS
    from eval.temporal import TEMPORAL, run_temporal, table

    report = run_temporal(
        make_settings(),
        questions=args.questions or TEMPORAL,
        data=args.data or DEFAULT_DATA,
        work_dir=args.work_dir,
        progress=not args.quiet,
    )
    reports = args.reports or REPORTS
    reports.mkdir(parents=True, exist_ok=True)
    path = reports / "temporal.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(report["summary"]))
    print(f"\nrecords: {path}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Run the evaluation; exit 1 when the product row is below a --min-* floor."""
    from index.config import set_offline_env

    set_offline_env()
    if args.temporal:
        return cmd_eval_temporal(args)
    if args.benchmark == "realtimeqa":
        return cmd_eval_realtimeqa(args)
    from eval.report import BASELINE, REPORTS, publish
    from eval.run import EvalConfig, run_eval

    floors = _floors(args)
    settings = make_settings(corpus_dir=args.corpus)
    given = {"systems": args.systems, "questions": args.questions}
    config = EvalConfig(
        corpus_dir=settings.corpus_dir,
        distractors=args.distractors,
        calibrate=args.calibrate,
        progress=not args.quiet,
        **{k: v for k, v in given.items() if v is not None},
    )
    report = run_eval(config, settings)
    result = publish(
        report,
        reports_dir=args.reports or REPORTS,
        baseline_path=args.baseline or BASELINE,
        update_baseline=args.update_baseline,
        floors=floors,
    )
    print(result.text)
    return result.exit_code


def _add_train(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, help="realtimeqa folder (../shared/benchmarks/realtimeqa)")
    p.add_argument("--out", type=folder, help="models folder (default: qa/models)")
    p.add_argument("--seed", type=int, help="random seed (default 0)")
    p.add_argument("--layers", type=whole(1, 6), help="MiniLM layers kept (1-6)")
    p.add_argument("--max-length", type=whole(16), help="tokens per (question, sentence) pair")
    p.add_argument("--epochs", type=whole(1), help="passes over the train questions")
    p.add_argument("--negatives", type=whole(1), help="mined negatives per question")
    p.add_argument(
        "--cross-negatives",
        type=whole(0),
        help="ranker: more negatives per question from the same week's other questions' pages",
    )
    p.add_argument("--lr", type=positive, help="peak learning rate")
    p.add_argument(
        "--teacher",
        type=Path,
        help="ranker: distil this exported ranker (start from its layers, learn its scores)",
    )
    p.add_argument(
        "--limit",
        type=whole(1),
        help="first N answerable train questions (quick runs; needs --out)",
    )
    p.add_argument("--no-dev", action="store_true", help="skip the dev figures in the card")
    p.add_argument(
        "--parts",
        default="typer,ranker,combiner,short",
        help="what to train, in this order (default typer,ranker,combiner,short)",
    )
    p.add_argument(
        "--ablations",
        action="store_true",
        help="also refit the combiner with each feature mechanism switched off (for qa eval "
        "--systems product-no-<name>)",
    )
    p.add_argument(
        "--probe",
        action="store_true",
        help="train nothing: print dev sentence-ranking figures (overlap, cosine, features, "
        "the ranker at --out)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def cmd_train(args: argparse.Namespace) -> int:
    """Train every learned part from realtimeqa train (or, with --probe, measure on dev)."""
    from index.config import set_offline_env

    set_offline_env()
    import dataclasses

    from eval.realtimeqa.data import DEFAULT_DATA
    from eval.train_ranker import TrainConfig
    from qa.rerank import SHIPPED_RANKER

    data = args.data or DEFAULT_DATA
    if args.limit is not None and args.out is None and not args.probe:
        raise UserError(
            "--limit trains trial models on part of the data: give them a folder with --out "
            "(without it they would replace the shipped models in qa/models)."
        )
    out = args.out / "evidence-ranker" if args.out else SHIPPED_RANKER
    if args.probe:
        from eval.ranker_probe import format_rows, probe

        print(format_rows(probe(data, [out], progress=not args.quiet)))
        return 0
    given = {
        "seed": args.seed,
        "layers": args.layers,
        "max_length": args.max_length,
        "epochs": args.epochs,
        "negatives": args.negatives,
        "cross_negatives": args.cross_negatives,
        "lr": args.lr,
        "limit": args.limit,
        "teacher": str(args.teacher) if args.teacher else None,
    }
    config = dataclasses.replace(TrainConfig(), **{k: v for k, v in given.items() if v is not None})
    from eval.train_all import TrainAllConfig, train_ablations, train_all

    parts = tuple(x.strip() for x in args.parts.split(",") if x.strip())
    unknown = sorted(set(parts) - {"typer", "ranker", "combiner", "short"})
    if unknown:
        raise UserError(f"Unknown part(s) {', '.join(unknown)}; use typer, ranker, combiner, short")
    models = args.out or TrainAllConfig().models
    result = train_all(
        data,
        TrainAllConfig(parts=parts, models=models),
        config,
        progress=not args.quiet,
        dev=not args.no_dev,
    )
    for part in parts:
        print(result.get(part))
    if args.ablations:
        for name, meta in train_ablations(data, models, progress=not args.quiet).items():
            print(f"combiner without {name}: {meta}")
    print(f"trained {', '.join(parts)} in {result['seconds'] / 60:.1f} min")
    return 0


COMMANDS: dict[str, Command] = {
    "index": Command("build or update the index from a folder of articles", _add_index, cmd_index),
    "ask": Command("answer a question from the articles, with citations", _add_ask, cmd_ask),
    "chat": Command("serve the chat page (builds the index if missing)", _add_chat, cmd_chat),
    "bench": Command("measure indexing and query speed at growing sizes", _add_bench, cmd_bench),
    "eval": Command("benchmark answers and grounding on the known questions", _add_eval, cmd_eval),
    "train": Command("train the learned parts from realtimeqa train", _add_train, cmd_train),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa",
        description="Grounded, time-aware question answering over a news corpus (offline).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        p = sub.add_parser(name, help=command.help, description=command.help)
        command.add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``qa``; returns the exit code (0 ok, 2 user error, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return COMMANDS[args.command].run(args)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
