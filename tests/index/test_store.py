"""The Chroma chunk store: round trips, live versions only, errors, and server (HTTP) mode."""

from __future__ import annotations

import doctest
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fakes import FakeEmbedder, make_article

import index.store
from index.build import sync_articles
from index.chunk import chunk_article
from index.config import IndexSettings
from index.errors import IndexCorrupt, IndexNotBuilt, UserError
from index.store import ChunkStore, article_hash, open_store

ARTICLES = [
    make_article(
        "venezuela",
        "Kerry met Jaua in Antigua. They agreed to start talks. Oil exports were not discussed.",
        title="Talks begin",
        published="2013-06-05",
        comments=[("ann", "Talks are pointless."), ("bob", "I hope the talks work.")],
    ),
    make_article(
        "football",
        "The match ended in a draw. Fans left the stadium quietly after the final whistle.",
        title="A quiet draw",
        published="2024-07",
    ),
    make_article("undated", "Nobody knows when this was written. It mentions oil.", published=None),
]


def settings_for(tmp_path: Path, chunk_tokens: int = 32) -> IndexSettings:
    return IndexSettings(data_dir=tmp_path / "data", chunk_tokens=chunk_tokens, chunk_overlap=8)


@pytest.fixture
def built(tmp_path: Path) -> tuple[ChunkStore, FakeEmbedder, IndexSettings]:
    settings = settings_for(tmp_path)
    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    sync_articles(ARTICLES, settings, embedder, store, progress=False)
    return store, embedder, settings


def test_docstring_examples() -> None:
    result = doctest.testmod(index.store)
    assert result.attempted > 0 and result.failed == 0


def test_round_trip(built: tuple[ChunkStore, FakeEmbedder, IndexSettings]) -> None:
    store, embedder, settings = built
    assert store.articles() == {a.id: a for a in ARTICLES}
    expected = [
        c for a in ARTICLES for c in chunk_article(a, settings.chunk_tokens, settings.chunk_overlap)
    ]
    got = store.live_chunks()
    key = lambda c: c.id  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)
    assert {c.id: c.embed_text for c in got} == {c.id: c.embed_text for c in expected}
    assert store.count() == len(expected)

    # every chunk is its own nearest neighbour, with similarity ~1
    for chunk in expected[:5]:
        vector = embedder.embed([chunk.embed_text])[0]
        best_id, best_score = store.query(vector, k=3)[0]
        assert best_id == chunk.id and best_score == pytest.approx(1.0, abs=1e-4)
        np.testing.assert_allclose(store.get_vectors([chunk.id])[0], vector, atol=1e-6)

    ids = [c.id for c in expected[:4]]
    assert store.get_vectors(ids).shape == (4, embedder.dim)
    assert store.get_vectors([]).shape == (0, embedder.dim)
    with pytest.raises(KeyError):
        store.get_vectors(["no-such-chunk"])


def test_query_filters_on_metadata(built: tuple[ChunkStore, FakeEmbedder, IndexSettings]) -> None:
    store, embedder, _ = built
    vector = embedder.embed(["talks"])[0]
    comments = store.query(vector, k=10, where={"kind": "comment"})
    assert comments and all("::comment::" in cid for cid, _ in comments)
    month = store.query(vector, k=10, where={"published_sort": {"$gte": 20240700}})
    assert month and all(cid.startswith("football::") for cid, _ in month)
    undated = store.query(vector, k=10, where={"published_sort": 0})
    assert undated and all(cid.startswith("undated::") for cid, _ in undated)
    scores = [s for _, s in store.query(vector, k=10)]
    assert scores == sorted(scores, reverse=True)


def test_reopening_sees_the_same_index(
    built: tuple[ChunkStore, FakeEmbedder, IndexSettings],
) -> None:
    store, embedder, settings = built
    again = open_store(settings, embedder, create=False)
    assert again.generation() == store.generation()
    assert again.articles() == store.articles()
    assert [c.id for c in again.live_chunks()] == [c.id for c in store.live_chunks()]


def test_new_versions_stay_invisible_until_the_manifest_switches(
    built: tuple[ChunkStore, FakeEmbedder, IndexSettings],
) -> None:
    store, embedder, settings = built
    old = ARTICLES[0]
    new = make_article(old.id, "Completely different text about oil prices rising.", title="New")
    new_hash = article_hash(new)
    chunks = chunk_article(new, settings.chunk_tokens, settings.chunk_overlap)
    generation = store.generation()

    store.add_chunks(
        [(new, new_hash, c) for c in chunks], embedder.embed([c.embed_text for c in chunks])
    )
    assert store.generation() == generation
    assert store.articles()[old.id] == old
    assert {c.id for c in chunks}.isdisjoint(c.id for c in store.live_chunks())
    vector = embedder.embed([chunks[0].embed_text])[0]
    assert chunks[0].id not in dict(store.query(vector, k=50))

    store.set_live([(new, new_hash, len(chunks))])
    assert store.generation() != generation
    assert store.articles()[old.id] == new
    live = [c for c in store.live_chunks() if c.article_id == old.id]
    assert sorted(c.id for c in live) == sorted(c.id for c in chunks)
    assert store.query(vector, k=1)[0][0] == chunks[0].id
    assert store.delete_stale([old.id]) > 0
    assert store.delete_orphans() == 0


def test_query_fetches_past_stale_versions(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    target = make_article("t", "Oil exports to China fell sharply.", title="Oil")
    sync_articles([target], settings, embedder, store, progress=False)
    # forty not-yet-live versions of another article, all closer to the query than the target
    decoy = make_article("d", "oil exports oil exports", title="Oil")
    for i in range(40):
        version = make_article("d", f"oil exports oil exports {i}", title="Oil")
        chunks = chunk_article(version)
        store.add_chunks(
            [(decoy, f"{i:032d}", c) for c in chunks],
            embedder.embed([c.embed_text for c in chunks]),
        )
    hits = store.query(embedder.embed(["oil exports"])[0], k=1)
    assert [cid for cid, _ in hits] == [chunk_article(target)[0].id]
    assert store.delete_orphans() == 40
    assert store.count() == 1


def test_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with pytest.raises(IndexNotBuilt, match=r"qa index seeds/") as err:
        open_store(settings, FakeEmbedder(), create=False)
    assert str(settings.chroma_path) in str(err.value)
    assert not settings.chroma_path.exists(), "opening for reading creates nothing"


def test_other_settings_are_a_different_index(
    built: tuple[ChunkStore, FakeEmbedder, IndexSettings], tmp_path: Path
) -> None:
    _, embedder, settings = built
    with pytest.raises(IndexNotBuilt, match="qa index seeds/"):
        open_store(settings_for(tmp_path, chunk_tokens=64), embedder, create=False)
    with pytest.raises(IndexNotBuilt):
        open_store(settings, FakeEmbedder(model_id="other-model"), create=False)


def test_corrupt_index_names_the_path_and_the_rebuild(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    settings.chroma_path.mkdir(parents=True)
    (settings.chroma_path / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    for create in (False, True):
        with pytest.raises(IndexCorrupt, match=r"qa index seeds/ --rebuild") as err:
            open_store(settings, FakeEmbedder(), create=create)
        assert str(settings.chroma_path) in str(err.value)

    store = open_store(settings, FakeEmbedder(), create=True, rebuild=True)
    assert store.count() == 0
    aside = [p for p in settings.chroma_path.parent.iterdir() if ".broken-" in p.name]
    assert len(aside) == 1 and (aside[0] / "chroma.sqlite3").is_file(), "moved aside, not deleted"


def test_foreign_folder_is_refused_not_overwritten(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    settings.chroma_path.mkdir(parents=True)
    (settings.chroma_path / "notes.txt").write_text("mine")
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        open_store(settings, FakeEmbedder(), create=True)
    assert (settings.chroma_path / "notes.txt").read_text() == "mine"


def test_rebuild_empties_the_index(built: tuple[ChunkStore, FakeEmbedder, IndexSettings]) -> None:
    store, embedder, settings = built
    assert store.count() > 0
    fresh = open_store(settings, embedder, create=True, rebuild=True)
    assert fresh.count() == 0 and fresh.articles() == {} and fresh.live_chunks() == []


# -- Chroma server mode -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real ``chroma run`` on a free 127.0.0.1 port, stopped after the test."""
    from eval.bench_server import chroma_cli
    from eval.bench_server import chroma_server as serve

    try:
        chroma_cli()
    except UserError:
        pytest.skip("the `chroma` command (from the chromadb package) is not installed")
    with serve(tmp_path / "srv") as url:
        yield url


@pytest.mark.slow
def test_server_mode(chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_CHROMA_URL", chroma_server)
    settings = IndexSettings(data_dir=tmp_path / "unused", chunk_tokens=32, chunk_overlap=8)
    assert settings.chroma_url == chroma_server
    embedder = FakeEmbedder()
    with pytest.raises(IndexNotBuilt):
        open_store(settings, embedder, create=False)
    store = open_store(settings, embedder, create=True)
    report = sync_articles(ARTICLES, settings, embedder, store, progress=False)
    assert report.added == len(ARTICLES)
    assert store.articles() == {a.id: a for a in ARTICLES}
    chunk = store.live_chunks()[0]
    hits = store.query(embedder.embed([chunk.embed_text])[0], k=2)
    assert hits[0][0] == chunk.id
    again = sync_articles(
        ARTICLES[:2], settings, embedder, open_store(settings, embedder, False), progress=False
    )
    assert (again.removed, again.unchanged, again.embedded) == (1, 2, 0)
    assert not (tmp_path / "unused").exists(), "server mode writes no local index"


def test_unreachable_server_is_a_user_error(tmp_path: Path) -> None:
    settings = IndexSettings(data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(UserError, match="chroma run"):
        open_store(settings, FakeEmbedder(), create=True)


def test_generation_may_be_reused_for_a_while_but_never_after_own_writes(
    built: tuple[ChunkStore, FakeEmbedder, IndexSettings],
) -> None:
    store, embedder, settings = built
    other = open_store(settings, embedder, create=False)  # another writer, same index
    seen = store.generation(max_age=60)
    other.unset_live([ARTICLES[0].id])
    assert store.generation(max_age=60) == seen, "a recent read may be reused"
    assert store.generation() != seen, "max_age=0 always reads"
    fresh = store.generation(max_age=60)
    store.unset_live([ARTICLES[1].id])
    assert store.generation(max_age=60) != fresh, "this store's own writes are seen at once"


def test_live_vectors_are_those_of_live_versions(
    built: tuple[ChunkStore, FakeEmbedder, IndexSettings],
) -> None:
    store, _, _ = built
    vectors = store.live_vectors()
    ids = [c.id for c in store.live_chunks()]
    assert sorted(vectors) == sorted(ids)
    np.testing.assert_allclose(np.stack([vectors[i] for i in ids]), store.get_vectors(ids))


def test_whole_collection_reads_come_in_pages(
    built: tuple[ChunkStore, FakeEmbedder, IndexSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One unbounded read of ~20k records fails inside Chroma: reads are paged."""
    store, _, _ = built
    whole = (store.articles(), store.live_chunks(), store.live_vectors())
    import index.store

    monkeypatch.setattr(index.store, "GET_PAGE", 2)
    store._cache = None  # re-read the manifest too
    paged = (store.articles(), store.live_chunks(), store.live_vectors())
    assert paged[0] == whole[0] and paged[1] == whole[1]
    assert sorted(paged[2]) == sorted(whole[2]) and len(whole[1]) > 2
    assert store.delete_orphans() == 0
