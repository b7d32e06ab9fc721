"""Small shared pieces of the reliability tests: corpora, answer comparison, span checks."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index.types import Article
from qa.assistant import Assistant
from qa.types import Answer, Citation

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"

SEED_QUESTIONS = (
    "Who did John Kerry meet in Guatemala?",
    "What was the name of the American filmmaker Venezuela released?",
    "How many political prisoners did Foro Penal count?",
    "Who was Maduro's top negotiator when talks with Washington resumed?",
    "Why did Chávez expel the American ambassador in 2008?",
)
"""A handful of single-fact questions about the seed articles (from eval/questions.jsonl)."""

TINY_CORPUS = {
    "bridge": (
        "Alpha bridge opens\n\nCARACAS, 5 June 2013 — The Alpha bridge over the Orinoco opened "
        "on Monday. It cost ten million dollars, the mayor, Rosa Pérez, said. Traffic began at "
        "dawn.\n"
    ),
    "tunnel": (
        "Beta tunnel closes\n\nMARACAIBO, 6 June 2014 — The Beta tunnel closed on Tuesday after "
        "a flood. Nobody was hurt, engineers said. Repairs will take three weeks.\n"
    ),
    "unicode": (
        "Emoji festival 🎉\n\nBOGOTÁ, 7 July 2015 — The festival drew 40,000 visitors 🙂. "
        "Signs were in Arabic (مرحبا بكم) and Hebrew (שלום) and used zero\u200bwidth joiners. "
        "The organiser, Zoë Ñúñez, called it a success.\n"
    ),
}
"""Three small articles, one with emoji, RTL scripts and a zero-width space."""


def write_corpus(folder: Path, articles: Mapping[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def copy_seeds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.iterdir()):
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    return folder


def source_of(article: Article, kind: str) -> str:
    return article.body if kind == "body" else article.comments_text


def assert_exact_spans(answer: Answer, articles: Mapping[str, Article]) -> None:
    """Every citation and related passage quotes its article verbatim at its offsets."""
    cited: list[Citation] = [*answer.citations, *answer.related]
    for c in cited:
        assert c.article_id in articles, f"cites an unknown article {c.article_id!r}"
        text = source_of(articles[c.article_id], c.kind)
        assert 0 <= c.start < c.end <= len(text), (c.start, c.end, len(text))
        assert text[c.start : c.end] == c.quote, f"{c.article_id}: quote is not the source slice"
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1)), numbers


def key(answer: Answer) -> tuple[Any, ...]:
    """Everything about an answer except how long it took."""
    return (
        answer.text,
        answer.citations,
        answer.abstained,
        answer.related,
        answer.question,
        answer.resolved_question,
        answer.mode,
        answer.notes,
    )


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python: repo and tests importable, no QA_* leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "tests")])
    env.update(extra)
    return env


FAKE_CLI = """
import os
import sys
import index.embed
from fakes import AnnouncingEmbedder as Announcing


delay = float(os.environ.get("FAKE_EMBED_DELAY", "0"))
index.embed.EMBEDDERS["minilm"] = lambda settings: Announcing(delay=delay)
from qa.cli import main
raise SystemExit(main(sys.argv[1:]))
"""
"""``qa`` through ``qa.cli.main`` with the fake embedder in place of the real model (quick to
start, same index layout); prints "batch" after every embedding call, each of which takes
``FAKE_EMBED_DELAY`` seconds."""

PYTHON = sys.executable


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def launched(bot: Assistant, **changes: Any) -> Iterator[str]:
    """The chat page over ``bot`` served on a free local port; yields its address."""
    from ui.app import build_app, launch

    settings = bot.settings.model_copy(update={"port": free_port(), "auth": None, **changes})
    app = build_app(bot)
    url = launch(app, settings, prevent_thread_lock=True)
    try:
        yield url
    finally:
        app.close()
