"""Incremental sync: idempotent re-runs, edits, deletions, additions, and killed runs."""

from __future__ import annotations

import doctest
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import FakeEmbedder

import index.build
from index.build import sync
from index.chunk import chunk_article
from index.config import IndexSettings
from index.ingest import load_corpus
from index.store import ChunkStore, open_store
from index.types import Article

REPO = Path(__file__).resolve().parents[2]


def make_settings(tmp_path: Path, **kw: int) -> IndexSettings:
    values = {"chunk_tokens": 64, "chunk_overlap": 16, **kw}
    return IndexSettings(data_dir=tmp_path / "data", **values)  # type: ignore[arg-type]


def live_view(store: ChunkStore) -> dict[str, list[tuple[str, str]]]:
    view: dict[str, list[tuple[str, str]]] = {}
    for c in store.live_chunks():
        view.setdefault(c.article_id, []).append((c.id, c.text))
    return view


def expected_chunks(article: Article, settings: IndexSettings) -> list[tuple[str, str]]:
    chunks = chunk_article(article, settings.chunk_tokens, settings.chunk_overlap)
    return sorted((c.id, c.text) for c in chunks)


def test_docstring_examples() -> None:
    result = doctest.testmod(index.build)
    assert result.attempted > 0 and result.failed == 0


def test_second_sync_changes_nothing(seeds_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    first = sync(seeds_copy, settings, embedder, store, progress=False)
    n = len(load_corpus(seeds_copy, settings).articles)
    assert (first.articles, first.added, first.updated, first.removed) == (n, n, 0, 0)
    assert first.embedded == first.chunks == store.count() > 0
    ids = [c.id for c in store.live_chunks()]
    generation = store.generation()

    embedder.calls.clear()
    second = sync(seeds_copy, settings, embedder, open_store(settings, embedder, create=False))
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, n)
    assert second.embedded == 0 and embedder.calls == []
    assert not second.changed and "up to date" in second.summary()
    assert [c.id for c in store.live_chunks()] == ids
    assert store.generation() == generation


def test_edit_delete_add(seeds_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    sync(seeds_copy, settings, embedder, store, progress=False)
    before = live_view(store)
    files = sorted(seeds_copy.glob("*.txt"))
    edited, deleted = files[0], files[1]
    generation = store.generation()

    with edited.open("a", encoding="utf-8") as f:
        f.write("\n\nIn a late development, negotiators agreed to meet again in Lima next month.\n")
    embedder.calls.clear()
    report = sync(seeds_copy, settings, embedder, store, progress=False)
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert report.unchanged == report.articles - 1
    new_article = store.articles()[edited.stem]
    assert "Lima" in new_article.body
    after = live_view(store)
    assert sorted(after[edited.stem]) == expected_chunks(new_article, settings)
    assert report.embedded == len(after[edited.stem]) == embedder.embedded
    for article_id, chunks in before.items():
        if article_id != edited.stem:
            assert after[article_id] == chunks, "untouched articles keep their chunks"
    assert store.generation() != generation
    assert store.delete_orphans() == 0, "the old version's chunks were deleted"

    deleted.unlink()
    report = sync(seeds_copy, settings, embedder, store, progress=False)
    assert (report.added, report.updated, report.removed) == (0, 0, 1)
    assert deleted.stem not in store.articles()
    assert deleted.stem not in live_view(store)
    vector = embedder.embed([before[deleted.stem][0][1]])[0]
    assert all(not cid.startswith(deleted.stem) for cid, _ in store.query(vector, k=50))
    assert store.delete_orphans() == 0

    (seeds_copy / "new_article.md").write_text(
        "Ports reopen\n\nLIMA, 3 March 2025 — The ports reopened on Monday after a strike.\n",
        encoding="utf-8",
    )
    report = sync(seeds_copy, settings, embedder, store, progress=False)
    assert (report.added, report.updated, report.removed) == (1, 0, 0)
    assert "new_article" in live_view(store)


def test_same_folder_by_another_path_is_unchanged(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    sync(seeds_copy, settings, embedder, store, progress=False)
    monkeypatch.chdir(seeds_copy.parent)
    embedder.calls.clear()
    report = sync(Path(seeds_copy.name), settings, embedder, store, progress=False)
    assert report.embedded == 0 and not report.changed
    assert all(not Path(a.path).is_absolute() for a in store.articles().values())


def test_settings_that_change_vectors_get_their_own_index(seeds_copy: Path, tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    small = make_settings(tmp_path, chunk_tokens=32)
    large = make_settings(tmp_path, chunk_tokens=128)
    a = sync(seeds_copy, small, embedder, open_store(small, embedder, create=True), progress=False)
    b = sync(seeds_copy, large, embedder, open_store(large, embedder, create=True), progress=False)
    assert a.added == b.added > 0 and a.chunks > b.chunks
    assert open_store(small, embedder, create=False).count() == a.chunks


def test_duplicates_and_warnings_are_reported(seeds_copy: Path, tmp_path: Path) -> None:
    first = sorted(seeds_copy.glob("*.txt"))[0]
    (seeds_copy / "zz_copy.txt").write_bytes(first.read_bytes())
    (seeds_copy / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)
    settings = make_settings(tmp_path)
    embedder = FakeEmbedder()
    report = sync(
        seeds_copy, settings, embedder, open_store(settings, embedder, True), progress=False
    )
    assert (first.stem, "zz_copy") in report.duplicates
    assert any("broken.txt" in w for w in report.warnings)
    assert "zz_copy" not in open_store(settings, embedder, False).articles()


# -- a sync killed at random points ------------------------------------------------------

CHILD = """
import sys
from pathlib import Path
from fakes import AnnouncingEmbedder as Announcing
from index.build import sync
from index.config import IndexSettings
from index.store import open_store


settings = IndexSettings(data_dir=Path(sys.argv[1]), chunk_tokens=32, chunk_overlap=8,
                         embed_batch_size=3)
embedder = Announcing(delay=0.01)
store = open_store(settings, embedder, create=True)
print("start", flush=True)
sync(Path(sys.argv[2]), settings, embedder, store, progress=False)
print("done", flush=True)
"""


def write_corpus(folder: Path, articles: dict[str, str]) -> None:
    for old in folder.glob("*.txt"):
        if old.stem not in articles:
            old.unlink()
    for name, text in articles.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")


def story(name: str, version: int) -> str:
    sentences = " ".join(
        f"In {name} version {version}, witness {i} said the {name} talks went on for {i} hours."
        for i in range(12)
    )
    dateline = "CARACAS, 5 June 2013 —"
    return f"{name.title()} report\n\n{dateline} {sentences}\n\nMore on {name}: {sentences}\n"


def reopen(settings: IndexSettings) -> ChunkStore:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # another process wrote: read from disk again
    return open_store(settings, FakeEmbedder(), create=False)


def assert_each_article_whole(
    store: ChunkStore, old: dict[str, Article], new: dict[str, Article], settings: IndexSettings
) -> None:
    articles = store.articles()
    live = live_view(store)
    for article_id in old.keys() | new.keys():
        allowed = [v for v in (old.get(article_id), new.get(article_id)) if v is not None]
        if article_id not in articles:
            assert article_id not in old or article_id not in new, f"{article_id} was lost"
            assert article_id not in live
            continue
        article = articles[article_id]
        assert article in allowed, f"{article_id} is neither its old nor its new version"
        assert sorted(live.get(article_id, [])) == expected_chunks(article, settings), (
            f"{article_id}: live chunks are not exactly those of one version"
        )
    assert store.count() == sum(len(v) for v in live.values())


@pytest.mark.slow
def test_killed_sync_leaves_whole_articles_and_the_next_sync_completes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = [f"story{i}" for i in range(6)]
    write_corpus(corpus, {n: story(n, 1) for n in names})
    settings = IndexSettings(data_dir=tmp_path / "data", chunk_tokens=32, chunk_overlap=8)
    embedder = FakeEmbedder()
    sync(corpus, settings, embedder, open_store(settings, embedder, create=True), progress=False)
    old = {a.id: a for a in load_corpus(corpus, settings).articles}

    # version 2: three stories edited, one deleted, two added
    v2 = {n: story(n, 2 if i < 3 else 1) for i, n in enumerate(names[:-1])}
    v2 |= {"extra1": story("extra1", 1), "extra2": story("extra2", 1)}
    write_corpus(corpus, v2)
    new = {a.id: a for a in load_corpus(corpus, settings).articles}

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    rng = random.Random(20240729)
    mixed = False  # saw a state with one edited story already new and another still old
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(settings.data_dir), str(corpus)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert proc.stdout is not None
        kill_after = rng.randint(2, 16)  # batches seen before the kill
        batches = 0
        for line in proc.stdout:
            if line.startswith("batch"):
                batches += 1
            if line.startswith("done") or (line.startswith("batch") and batches > kill_after):
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = reopen(settings)
        assert_each_article_whole(store, old, new, settings)
        edited = [store.articles()[i] == new[i] for i in new if i in old and old[i] != new[i]]
        mixed = mixed or (any(edited) and not all(edited))

    assert mixed, "the kills should land between the switches of two edited articles"
    store = reopen(settings)
    report = sync(corpus, settings, FakeEmbedder(), store, progress=False)
    assert store.articles() == new
    assert_each_article_whole(store, new, new, settings)
    assert store.delete_orphans() == 0, "the finishing sync cleaned up leftovers"
    assert store.state() == "clean"
    assert report.embedded < sum(
        len(expected_chunks(new[i], settings)) for i in new if old.get(i) != new[i]
    ), "chunks embedded before the kills were reused"
    again = sync(corpus, settings, FakeEmbedder(), store, progress=False)
    assert not again.changed and again.embedded == 0


def test_a_file_with_a_problem_keeps_what_was_indexed_from_it(tmp_path: Path) -> None:
    """A broken export line or a page that lost its text: the rest syncs, nothing is lost."""
    import json

    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    rows = [
        {"id": f"r{i}", "text": f"Row {i} says the talks in Doha went on for day {i}."}
        for i in range(3)
    ]
    feed = corpus_dir / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    page = corpus_dir / "page.html"
    page.write_text(
        "<html><head><title>Talks</title></head><body><article><h1>Talks</h1><p>Diplomats "
        "met in Doha for a second round of talks on Monday.</p></article></body></html>"
    )
    settings = make_settings(tmp_path)
    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    first = sync(corpus_dir, settings, embedder, store, progress=False)
    assert (first.added, first.kept) == (4, 0)
    before = live_view(store)

    lines = feed.read_text().splitlines()
    lines[1] = lines[1][:20]  # row r1 is now broken JSON
    lines[2] = json.dumps({"id": "r2", "text": "Row 2 now says the talks ended."})
    feed.write_text("\n".join(lines) + "\n")
    page.write_text("<html><head><title>Home</title></head><body><nav>Home</nav></body></html>")
    second = sync(corpus_dir, settings, embedder, store, progress=False)
    assert (second.updated, second.removed, second.kept, second.articles) == (1, 0, 2, 4)
    assert "2 kept from files with problems" in second.summary()
    after = live_view(store)
    assert after["feed#r1"] == before["feed#r1"] and after["page"] == before["page"]
    assert after["feed#r2"] != before["feed#r2"]
    assert any("feed.jsonl:2: not valid JSON" in w for w in second.warnings)

    feed.write_text(json.dumps(rows[0]) + "\n")  # fixed: r1 and r2 are really gone now
    page.unlink()
    third = sync(corpus_dir, settings, embedder, store, progress=False)
    assert (third.removed, third.kept) == (3, 0)
    assert sorted(store.live()) == ["feed#r0"]
