"""Many questions at once get exactly the answers they get alone; indexing while answering
neither stalls the answers nor shows half an article."""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fakes import FakeEmbedder
from gradio_client import Client
from reliability_helpers import (
    SEED_QUESTIONS,
    TINY_CORPUS,
    assert_exact_spans,
    key,
    launched,
    source_of,
    write_corpus,
)

from index.build import sync
from index.chunk import chunk_article
from index.ingest import parse_article
from index.types import Article
from qa.assistant import Assistant
from qa.settings import Settings
from qa.snapshot import Snapshot

log = logging.getLogger(__name__)

QUESTIONS = (
    *SEED_QUESTIONS,
    "Who met Elías Jaua in Guatemala?",
    "What did Maduro say about meetings with US officials?",
    "Why did Venezuela seek to restore the embassies?",
    "What did the US embassy say about travel to Venezuela?",
    "When did the United States and Venezuela agree to work toward talks?",
    "What did John Bolton say?",
    "What happened to Venezuela's oil sales?",
    "Who won the 2022 football World Cup final?",
    "Who leads Venezuela now?",
    "What did the opposition say about the election results?",
    "How did oil production change?",
)
assert len(set(QUESTIONS)) == 16


@pytest.mark.slow
def test_sixteen_threads_get_the_answers_they_get_alone(real_seed_bot: Assistant) -> None:
    alone = {q: key(real_seed_bot.ask(q)) for q in QUESTIONS}
    # a fresh Assistant on the same index: its lazy parts (store, snapshot, sentence vectors)
    # are first built under contention
    bot = Assistant(real_seed_bot.settings, embedder=real_seed_bot.embedder)
    start = threading.Barrier(len(QUESTIONS))

    def one(q: str) -> tuple[str, Any]:
        start.wait()
        return q, key(bot.ask(q))

    with ThreadPoolExecutor(max_workers=len(QUESTIONS)) as pool:
        together = dict(pool.map(one, QUESTIONS))
    for q in QUESTIONS:
        assert together[q] == alone[q], q


@pytest.mark.slow
def test_eight_page_clients_at_once_get_the_pages_they_get_alone(real_seed_bot: Assistant) -> None:
    questions = QUESTIONS[:8]
    with launched(real_seed_bot) as url:

        def bubble(q: str) -> str:
            _, chat = Client(url, verbose=False).predict(
                q, "", "", "extractive", 5, False, api_name="/chat"
            )
            content: Any = chat[-1]["content"]
            return str(content[0]["text"] if isinstance(content, list) else content)

        alone = {q: bubble(q) for q in questions}
        start = threading.Barrier(len(questions))

        def together(q: str) -> tuple[str, str]:
            start.wait()
            return q, bubble(q)

        with ThreadPoolExecutor(max_workers=len(questions)) as pool:
            at_once = dict(pool.map(together, questions))
    for q in questions:
        assert at_once[q] == alone[q], q


# -- indexing while answering --------------------------------------------------------------


def assert_snapshot_whole(snap: Snapshot, versions: dict[str, list[Article]]) -> None:
    """Each article in the snapshot is one complete known version with exactly its chunks."""
    for article in snap.articles.values():
        known = [(v.body, v.comments_text) for v in versions[article.id]]
        assert (article.body, article.comments_text) in known, f"{article.id}: unknown version"
        have = sorted(c.id for c in snap.chunks if c.article_id == article.id)
        assert have == sorted(c.id for c in chunk_article(article)), f"half of {article.id}"
    assert {c.article_id for c in snap.chunks} <= set(snap.articles)


class SlowInIndexer(FakeEmbedder):
    """In the indexing thread, embeds only once ``ready()`` says so (or ``patience`` seconds
    have passed): indexing is held mid-work until answering has shown it goes on beside it,
    however fast or slow the machine is. Answering that waited for the indexer would never
    make ``ready()`` true, and the test's count of answers during indexing fails."""

    def __init__(self, patience: float = 60.0) -> None:
        super().__init__()
        self.patience = patience
        self.ready: Callable[[], bool] = lambda: True

    def embed(self, texts: Any) -> np.ndarray:
        if threading.current_thread().name == "indexer":
            deadline = time.monotonic() + self.patience
            while not self.ready() and time.monotonic() < deadline:
                time.sleep(0.01)
        return super().embed(texts)


def long_story(name: str, version: int) -> str:
    facts = " ".join(
        f"In {name} edition {version}, ranger {i} counted {i * 7} condors near the pass."
        for i in range(60)
    )
    return f"{name.title()} condor count\n\nMÉRIDA, 3 March 2021 — {facts}\n"


def test_a_switch_between_the_two_snapshot_reads_is_never_half_an_article(
    tmp_path: Path,
) -> None:
    """Deterministic version of the race: a sync lands between reading articles and chunks."""
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    embedder = FakeEmbedder()
    bot = Assistant(Settings(corpus_dir=corpus, data_dir=tmp_path / "data"), embedder=embedder)
    bot.snapshot()
    store = bot.store
    read_articles = store.articles
    interleave = [True]

    def articles_then_sync() -> dict[str, Article]:
        out = read_articles()
        if interleave[0]:
            interleave[0] = False
            write_corpus(corpus, {"bridge": TINY_CORPUS["bridge"].replace("The Alpha", "A new")})
            write_corpus(corpus, {"dam": long_story("dam", 1)})
            sync(corpus, bot.settings, embedder, store, progress=False)
        return out

    store.articles = articles_then_sync  # type: ignore[method-assign]
    write_corpus(corpus, {"tunnel": TINY_CORPUS["tunnel"] + "\nMore news.\n"})
    sync(corpus, bot.settings, embedder, store, progress=False)  # a change: snapshot rebuilds

    snap = bot.snapshot()
    assert not interleave[0], "the sync ran between the two reads"
    versions = {a.id: [a] for a in store.articles().values()}
    assert_snapshot_whole(snap, versions)
    assert "dam" in snap.articles and "A new bridge" in snap.articles["bridge"].body
    assert_exact_spans(bot.ask("What did the bridge cost?"), snap.articles)


@pytest.mark.slow
def test_indexing_while_answering_keeps_answering_and_never_shows_half_an_article(
    tmp_path: Path,
) -> None:
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    write_corpus(corpus, {"lake": long_story("lake", 1)})
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embed_batch_size=4)
    embedder = SlowInIndexer()
    bot = Assistant(settings, embedder=embedder)
    old = bot.snapshot().articles
    versions: dict[str, list[Article]] = {aid: [a] for aid, a in old.items()}
    questions = [
        "What did the Alpha bridge cost?",
        "How many condors did ranger 12 count near the pass?",
        "Who organised the emoji festival?",
        "How many condors did ranger 40 count in the forest?",
    ]
    done = threading.Event()
    finished: list[float] = []  # completion times of answers
    snapshots: list[Snapshot] = []
    errors: list[BaseException] = []

    def asker(i: int) -> None:
        n = 0
        while not done.is_set():
            try:
                answer = bot.ask(questions[(i + n) % len(questions)])
                snap = bot.snapshot()
                snapshots.append(snap)
                for c in answer.citations:
                    known = versions.get(c.article_id, []) + new_versions.get(c.article_id, [])
                    assert any(source_of(v, c.kind)[c.start : c.end] == c.quote for v in known), (
                        f"{c.article_id}: quote from no complete version"
                    )
            except BaseException as e:  # reported below
                errors.append(e)
                return
            finished.append(time.perf_counter())
            n += 1

    pasted = long_story("glacier", 1)
    write_corpus(corpus, {"lake": long_story("lake", 2)})  # the lake story changes too
    new_versions = {
        "lake": [parse_article(long_story("lake", 2), "lake")],
        "glacier": [parse_article(pasted, "glacier")],  # what add_article will index
    }
    threads = [threading.Thread(target=asker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    while not finished:  # answers are flowing before indexing starts
        time.sleep(0.01)
    result: list[Any] = []
    before = len(finished)
    embedder.ready = lambda: len(finished) >= before + 3  # the indexer waits mid-work for them
    indexer = threading.Thread(
        target=lambda: result.append(bot.add_article(pasted, filename="glacier.txt")),
        name="indexer",
    )
    t0 = time.perf_counter()
    indexer.start()
    indexer.join()
    t1 = time.perf_counter()
    time.sleep(0.2)
    done.set()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    ((article_id, report),) = result
    assert article_id == "glacier" and report.added == 1 and report.updated == 1

    during = [t for t in finished if t0 <= t <= t1]
    gaps = [b - a for a, b in zip([t0, *during], [*during, t1], strict=True)]
    log.warning(
        "indexing took %.2fs; %d answers completed meanwhile; longest wait %.2fs, median %.3fs",
        t1 - t0, len(during), max(gaps), statistics.median(gaps),
    )  # fmt: skip
    assert len(during) >= 3, "answers kept completing while the article was indexed"

    final = bot.snapshot()
    for aid, article in final.articles.items():
        versions.setdefault(aid, []).append(article)
    for snap in snapshots:
        assert_snapshot_whole(snap, versions)
    assert "glacier" in final.articles
    assert final.articles["lake"].body == new_versions["lake"][0].body
