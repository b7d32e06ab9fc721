"""Sentence vectors pooled while indexing: the real model's late pooling, the files, the sync."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest
from fakes import FakeEmbedder, SpanFakeEmbedder, make_article

import index.sentvec
from index.build import sync, sync_articles
from index.chunk import chunk_article, split_sentences
from index.config import IndexSettings
from index.embed import SentenceTransformerEmbedder, SpanEmbedder
from index.sentvec import SentenceMatrix, SentenceVectorFiles, sentence_spans
from index.store import article_hash, open_store

BODY = (
    "Secretary of State John Kerry met the Venezuelan foreign minister in Guatemala. "
    "They agreed to start talks on improving relations. "
    "Oil exports fell sharply that year. "
    "The central bank blamed the drought for power cuts."
)


def settings_for(tmp_path: Path) -> IndexSettings:
    return IndexSettings(data_dir=tmp_path / "data", chunk_tokens=24, chunk_overlap=12)


def test_docstring_examples() -> None:
    result = doctest.testmod(index.sentvec)
    assert result.attempted > 0 and result.failed == 0


def test_real_model_pools_spans_in_the_same_pass(
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    assert isinstance(real_embedder, SpanEmbedder)
    texts = [BODY, "A short one.", "word " * 600]
    spans = [[(s, e) for s, e in split_sentences(BODY)], [(0, 12)], [(0, 4), (2990, 2995)]]
    vectors, pooled = real_embedder.embed_spans(texts, spans)
    # the text vectors are exactly what embed() gives
    np.testing.assert_allclose(vectors, real_embedder.embed(texts), atol=1e-5)
    assert [p.shape for p in pooled] == [(4, 384), (1, 384), (2, 384)]
    # each sentence read in context is nearest to itself embedded alone
    alone = real_embedder.embed([BODY[s:e] for s, e in spans[0]])
    sims = pooled[0] @ alone.T
    assert list(sims.argmax(axis=1)) == [0, 1, 2, 3]
    np.testing.assert_allclose(np.linalg.norm(pooled[0], axis=1), 1.0, atol=1e-5)
    # a span past the model's 256-token limit gets no vector (an all-zero row)
    assert pooled[2][0].any() and not pooled[2][1].any()


def test_plan_covers_every_sentence_and_sums_overlapping_readings() -> None:
    article = make_article("a", BODY, comments=[("ann", "I doubt it. Nobody talks.")])
    chunks = chunk_article(article, 24, 12)
    plan = sentence_spans(article, chunks)
    body = [(0, s, e) for s, e in split_sentences(article.body)]
    comments = [(1, s, e) for s, e in split_sentences(article.comments_text)]
    assert plan.keys == body + comments
    for c in chunks:  # each span is the part of a sentence inside the chunk's embed_text
        head = len(c.embed_text) - len(c.text)
        for (s, e), owner in zip(plan.spans[c.id], plan.owners[c.id], strict=True):
            kind, ks, ke = plan.keys[owner]
            assert kind == (0 if c.kind == "body" else 1)
            assert (
                c.embed_text[s:e] in (article.body if kind == 0 else article.comments_text)[ks:ke]
            )
            assert s >= head
    in_two = [i for i in range(len(body)) if sum(i in o for o in plan.owners.values()) == 2]
    assert in_two, "the overlap should put a sentence in two chunks"
    unit = {
        cid: np.eye(4, dtype=np.float32)[[o % 4 for o in owners]]
        for cid, owners in plan.owners.items()
    }
    matrix = plan.combine(unit, dim=4)
    assert matrix.vectors.dtype == np.float16 and len(matrix) == len(plan.keys)
    np.testing.assert_allclose(
        np.linalg.norm(matrix.vectors.astype(np.float32), axis=1), 1, atol=1e-3
    )


def test_files_round_trip_prune_and_survive_damage(tmp_path: Path) -> None:
    files = SentenceVectorFiles(tmp_path / "sv")
    m = SentenceMatrix(np.array([[0, 0, 5], [1, 0, 3]]), np.ones((2, 4), dtype=np.float16))
    assert files.read("h1") is None and not files.has("h1")
    files.write("h1", m)
    files.write("h2", m)
    got = files.read("h1")
    assert got is not None and got.keys.tolist() == [[0, 0, 5], [1, 0, 3]]
    assert files.prune(["h2"]) == 1 and not files.has("h1") and files.has("h2")
    files.path("h2").write_bytes(b"not a numpy file")
    assert files.read("h2") is None  # damage costs speed, never an answer
    assert not list((tmp_path / "sv").glob(".*tmp*"))


def test_sync_writes_one_file_per_live_version_and_prunes_old_ones(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    embedder = SpanFakeEmbedder()
    store = open_store(settings, embedder, create=True)
    files = store.sentence_files
    assert files is not None
    one, two = make_article("one", BODY), make_article("two", "Short story. It ends here.")
    report = sync_articles([one, two], settings, embedder, store, progress=False)
    assert report.embedded == embedder.span_calls == store.count()
    for a in (one, two):
        matrix = files.read(article_hash(a))
        assert matrix is not None
        assert [tuple(k[1:]) for k in matrix.keys.tolist()] == split_sentences(a.body)
        assert all(row.any() for row in matrix.vectors)
    edited = make_article("one", BODY + " A new closing line was added.")
    sync_articles([edited], settings, embedder, store, progress=False)
    assert files.has(article_hash(edited))
    assert not files.has(article_hash(one)) and not files.has(article_hash(two))
    assert open_store(settings, embedder, create=True, rebuild=True).sentence_files is not None
    assert not files.has(article_hash(edited)), "a rebuild starts without old vectors"


def test_an_article_left_without_its_file_is_embedded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmp_path).model_copy(update={"embed_batch_size": 1})
    embedder = SpanFakeEmbedder()
    store = open_store(settings, embedder, create=True)
    one, two = make_article("one", BODY), make_article("two", "Short story. It ends here.")
    n_one = len(chunk_article(one, settings.chunk_tokens, settings.chunk_overlap))
    # a run dies after storing every chunk of "one" but before writing its sentence file
    real_write = SentenceVectorFiles.write

    def die(self: SentenceVectorFiles, h: str, m: SentenceMatrix) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(SentenceVectorFiles, "write", die)
    with pytest.raises(KeyboardInterrupt):
        sync_articles([one, two], settings, embedder, store, progress=False)
    assert embedder.span_calls == n_one and "one" not in store.live()
    monkeypatch.setattr(SentenceVectorFiles, "write", real_write)
    report = sync_articles([one, two], settings, embedder, store, progress=False)
    assert report.embedded == store.count(), "one is embedded again whole, though stored"
    assert store.sentence_files is not None
    assert all(store.sentence_files.has(article_hash(a)) for a in (one, two))


def test_an_index_without_sentence_vectors_gets_them_on_the_next_sync(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    store = open_store(settings, SpanFakeEmbedder(), create=True)
    one = make_article("one", BODY)
    sync_articles([one], settings, FakeEmbedder(model_id="fake-span"), store, progress=False)
    assert store.sentence_files is not None and not store.sentence_files.has(article_hash(one))
    embedder = SpanFakeEmbedder()
    report = sync_articles([one], settings, embedder, store, progress=False)
    assert report.embedded == store.count() > 0 and store.sentence_files.has(article_hash(one))
    again = sync_articles([one], settings, embedder, store, progress=False)
    assert again.embedded == 0 and not again.changed


def test_a_chroma_server_index_is_not_re_embedded_for_missing_local_files(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    store = open_store(settings, SpanFakeEmbedder(), create=True)
    one = make_article("one", BODY)
    sync_articles([one], settings, FakeEmbedder(model_id="fake-span"), store, progress=False)
    store.remote = True  # other clients of a server may have indexed it from elsewhere
    report = sync_articles([one], settings, SpanFakeEmbedder(), store, progress=False)
    assert report.embedded == 0


def test_an_embedder_without_span_pooling_writes_no_files(seeds_copy: Path, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    sync(seeds_copy, settings, embedder, store, progress=False)
    assert store.sentence_files is not None
    assert not store.sentence_files.folder.exists() or not any(
        store.sentence_files.folder.iterdir()
    )


@pytest.mark.parametrize("size", [0, 1])
def test_combine_handles_articles_without_sentences(size: int) -> None:
    article = make_article("a", "Just one." if size else "")
    plan = sentence_spans(article, chunk_article(article))
    assert len(plan.combine({c: np.zeros((len(s), 3)) for c, s in plan.spans.items()}, 3)) == size


def test_a_matrix_fits_only_spans_inside_its_article() -> None:
    article = make_article("a", "One two. Three.", comments=[("ann", "No.")])
    vecs = np.zeros((2, 4), dtype=np.float16)
    assert SentenceMatrix(np.array([[0, 0, 8], [1, 0, 3]]), vecs).fits(article)
    assert not SentenceMatrix(np.array([[0, 0, 8], [0, 9, 99]]), vecs).fits(article)
    assert not SentenceMatrix(np.array([[0, 5, 5], [1, 0, 3]]), vecs).fits(article)
    assert not SentenceMatrix(np.array([[0, 0, 8], [2, 0, 3]]), vecs).fits(article)
