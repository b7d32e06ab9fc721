"""Crash safety: ``qa index`` killed with SIGKILL at random points, and broken index folders.

The killed runs go through ``qa.cli.main`` in a child process (with the fake embedder
registered under the default backend name, so a child starts in a second or two).
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from fakes import FakeEmbedder
from reliability_helpers import (
    FAKE_CLI,
    PYTHON,
    REPO,
    SEED_QUESTIONS,
    assert_exact_spans,
    child_env,
    copy_seeds,
    write_corpus,
)

from index.chunk import chunk_article
from index.errors import IndexCorrupt, UserError
from qa.assistant import Assistant
from qa.settings import Settings
from qa.types import Answer

pytestmark = pytest.mark.slow


def qa(
    *args: str, kill_after: int | None = None, extra_delay: float = 0.0, slow: bool = False
) -> tuple[int, str]:
    """Run ``qa <args>`` in a child; with ``kill_after``, SIGKILL it after that many embedding
    batches (plus ``extra_delay`` seconds, so the kill lands anywhere in the writes that
    follow); ``slow`` makes each embedding batch take 50 ms. Returns (exit code, stderr)."""
    proc = subprocess.Popen(
        [PYTHON, "-c", FAKE_CLI, *args],
        cwd=REPO,
        env=child_env(QA_EMBED_BATCH_SIZE="2", FAKE_EMBED_DELAY="0.05" if slow else "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    if kill_after is not None:
        batches = 0
        for line in proc.stdout:
            batches += line.startswith("batch")
            if batches >= kill_after:
                break
        time.sleep(extra_delay)
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def fresh_bot(corpus: Path, data: Path) -> Assistant:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # another process wrote: read from disk again
    settings = Settings(corpus_dir=corpus, data_dir=data)
    return Assistant(settings, embedder=FakeEmbedder(), build_if_missing=False)


def assert_whole(bot: Assistant) -> None:
    """Every live article has exactly the chunks of its version (never part of one)."""
    snap = bot.snapshot()
    for article in snap.articles.values():
        have = sorted(c.id for c in snap.chunks if c.article_id == article.id)
        assert have == sorted(c.id for c in chunk_article(article)), article.id


def grounded(answer: Answer) -> tuple[object, ...]:
    """What an answer says and quotes (scores move with the corpus statistics; this must not)."""
    quotes = [(c.article_id, c.kind, c.start, c.end, c.quote) for c in answer.citations]
    return answer.text, answer.abstained, quotes


def extra_article(i: int) -> str:
    facts = " ".join(
        f"Keeper {i} logged storm number {n} at the lighthouse on Isla Margarita for {n} hours."
        for n in range(40)
    )
    return f"Lighthouse log {i}\n\nPORLAMAR, {i + 1} May 2022 — {facts}\n"


def clean_build_of(articles: set[str], corpus: Path, root: Path) -> Assistant:
    """An index built in one uninterrupted run from just these articles of ``corpus``."""
    subset = root / "corpus"
    subset.mkdir(parents=True)
    for path in corpus.iterdir():
        if path.stem in articles or path.suffix == ".toml":
            shutil.copy(path, subset / path.name)
    bot = Assistant(Settings(corpus_dir=subset, data_dir=root / "data"), embedder=FakeEmbedder())
    bot.snapshot()
    return bot


QUESTIONS = (*SEED_QUESTIONS, "How long did the keeper log storm number 17 on Isla Margarita?")


def test_killed_index_runs_keep_answering_and_the_next_run_completes(tmp_path: Path) -> None:
    corpus = copy_seeds(tmp_path / "corpus")
    seeds = {p.stem for p in corpus.glob("*.txt")}
    data = tmp_path / "data"
    args = ("index", str(corpus), "--data-dir", str(data), "--quiet")

    # a first build killed midway, then completed by the next run
    assert qa(*args, kill_after=3, slow=True)[0] == -signal.SIGKILL
    code, err = qa(*args)
    assert code == 0, err
    bot = fresh_bot(corpus, data)
    assert set(bot.snapshot().articles) == seeds
    assert all(not bot.ask(q).abstained for q in SEED_QUESTIONS), "seed questions are answered"

    # new articles keep arriving; six runs adding them are killed at random points. Each
    # time, the index answers exactly as an uninterrupted build of the articles it holds.
    rng = random.Random(7)
    added: list[str] = []
    for run in range(6):
        new = {f"lighthouse{run}x{j}": extra_article(run * 2 + j) for j in range(2)}
        write_corpus(corpus, new)
        added += new
        kill_after = rng.randint(1, 3)  # of at least 6 batches of new work
        code, _ = qa(*args, kill_after=kill_after, extra_delay=rng.uniform(0, 0.06), slow=True)
        assert code == -signal.SIGKILL, "the run was killed before it finished"
        bot = fresh_bot(corpus, data)
        assert_whole(bot)
        live = set(bot.snapshot().articles)
        assert seeds <= live, "the kill lost a seed article"
        reference = clean_build_of(live, corpus, tmp_path / f"reference{run}")
        for q in QUESTIONS:
            answer = bot.ask(q)
            assert grounded(answer) == grounded(reference.ask(q)), f"after kill {run}: {q}"
            assert_exact_spans(answer, bot.snapshot().articles)

    code, err = qa(*args)
    assert code == 0, err
    bot = fresh_bot(corpus, data)
    assert_whole(bot)
    assert set(bot.snapshot().articles) == seeds | set(added)
    assert bot.store.state() == "clean" and bot.store.delete_orphans() == 0
    reference = clean_build_of(seeds | set(added), corpus, tmp_path / "reference")
    for q in QUESTIONS:
        assert grounded(bot.ask(q)) == grounded(reference.ask(q)), q
    answer = bot.ask(QUESTIONS[-1])
    assert answer.citations and answer.citations[0].article_id in added


# -- broken index folders: a clear message and the command to rebuild, never a traceback ----


def garbage_db(chroma: Path) -> None:
    chroma.mkdir(parents=True)
    (chroma / "chroma.sqlite3").write_bytes(b"not a database " * 500)


def truncated_db(chroma: Path) -> None:
    db = chroma / "chroma.sqlite3"
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])


def emptied_tables(chroma: Path) -> None:
    with sqlite3.connect(chroma / "chroma.sqlite3") as con:
        con.execute("DROP TABLE embeddings")


def foreign_folder(chroma: Path) -> None:
    chroma.mkdir(parents=True)
    (chroma / "notes.txt").write_text("my own notes", encoding="utf-8")


def file_not_folder(chroma: Path) -> None:
    chroma.parent.mkdir(parents=True, exist_ok=True)
    chroma.write_text("a file where the index folder should be", encoding="utf-8")


def scrambled_vectors(chroma: Path) -> None:
    segments = [p for p in chroma.iterdir() if p.is_dir()]
    assert segments, "the built index has a vector segment folder"
    for folder in segments:
        for f in folder.iterdir():
            f.write_bytes(b"\xde\xad\xbe\xef" * 64)


BREAKAGES = {
    "garbage-db": (garbage_db, False),
    "truncated-db": (truncated_db, True),
    "dropped-table": (emptied_tables, True),
    "foreign-folder": (foreign_folder, False),
    "file-not-folder": (file_not_folder, False),
    "scrambled-vectors": (scrambled_vectors, True),
}
"""name -> (how to break the index, whether it needs a built index first)."""
RECOVERABLE = {"scrambled-vectors"}
"""Chroma keeps recent records in its SQLite log and may rebuild vector files from it, so
these may also just work; they must never end in a traceback."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small corpus and its index, built once; tests copy it."""
    root = tmp_path_factory.mktemp("built")
    corpus = write_corpus(root / "corpus", {f"lighthouse{i}": extra_article(i) for i in range(2)})
    code, err = qa("index", str(corpus), "--data-dir", str(root / "data"), "--quiet")
    assert code == 0, err
    return root


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_broken_index_is_one_line_naming_the_rebuild(
    breakage: str, built: Path, tmp_path: Path
) -> None:
    root = tmp_path / "site"
    shutil.copytree(built, root)
    corpus, data = root / "corpus", root / "data"
    chroma = data / "chroma"
    damage, needs_index = BREAKAGES[breakage]
    if not needs_index:
        shutil.rmtree(data)
    damage(chroma)

    question = "How long did keeper 1 log storm number 4?"
    for command in (
        ("ask", question, "--corpus", str(corpus), "--data-dir", str(data)),
        ("index", str(corpus), "--data-dir", str(data), "--quiet"),
    ):
        code, err = qa(*command)
        assert "Traceback" not in err, err
        if code == 0 and breakage in RECOVERABLE:
            continue
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1, f"{command[0]}: exit {code}\n{err}"
        assert "qa index" in err and "--rebuild" in err, err

    if breakage != "scrambled-vectors":  # a damaged HNSW file is only touched in a child
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        bot = Assistant(Settings(corpus_dir=corpus, data_dir=data), embedder=FakeEmbedder())
        with pytest.raises(UserError, match=r"qa index seeds/ --rebuild") as err_info:
            bot.ask(question)
        assert isinstance(err_info.value, IndexCorrupt)

    code, err = qa("index", str(corpus), "--data-dir", str(data), "--quiet", "--rebuild")
    assert code == 0, err
    code, err = qa("ask", question, "--corpus", str(corpus), "--data-dir", str(data))
    assert code == 0, err
