"""The ``qa`` command line: one small function per subcommand, dispatched by name.

    qa index seeds/                 # build or update the index (incremental)
    qa index seeds/ --rebuild       # start over

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
    p.add_argument("--data-dir", type=Path, help="where the local index lives (default: .qa)")
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
    for kept, dropped in report.duplicates:
        print(f"Duplicate: {dropped} has the same content as {kept}; indexed once, as {kept}.")
    for line in report.warnings:
        print(f"warning: {line}", file=sys.stderr)
    refused = [w for w in report.warnings if w.startswith("Skipped")]
    return 2 if refused else 0


COMMANDS: dict[str, Command] = {
    "index": Command("build or update the index from a folder of articles", _add_index, cmd_index),
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
