"""Hybrid retrieval: fusion, filters and de-duplication, over a small in-memory corpus."""

from __future__ import annotations

from typing import Any

import numpy as np
from fakes import FakeEmbedder

from index.chunk import chunk_article
from index.types import Article
from qa.question import analyze, stem
from qa.retrieve import Filters, HybridRetriever, exact_search, rrf
from qa.snapshot import Snapshot, _deletes


def article(aid: str, body: str, published: str | None) -> Article:
    return Article(aid, f"Title {aid}", published, "catalog", None, body, (), aid, aid)


ARTICLES = [
    article("old", "The embassy in Caracas closed in March 2019. Diplomats left.", "2019-03-20"),
    article("new", "The embassy in Caracas has reopened. A new diplomat arrived.", "2026-03"),
    article("copy", "The embassy in Caracas has reopened. A new diplomat arrived.", "2026-03-02"),
    article("oil", "Oil exports rose sharply after sanctions eased in the spring.", None),
]


class BruteForce:
    """A VectorSearch over the fake embedder's vectors that honours Chroma-style filters."""

    def __init__(self, snap: Snapshot, embedder: FakeEmbedder) -> None:
        self.snap = snap
        self.vectors = embedder.embed([c.text for c in snap.chunks])
        self.wheres: list[dict[str, Any] | None] = []

    def query(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        self.wheres.append(where)
        sims = self.vectors @ vector
        order = np.argsort(-sims)[:k]
        return [(self.snap.chunks[i].id, float(sims[i])) for i in order]


def make() -> tuple[Snapshot, BruteForce, FakeEmbedder]:
    chunks = [c for a in ARTICLES for c in chunk_article(a, 200, 40)]
    snap = Snapshot("g1", {a.id: a for a in ARTICLES}, chunks)
    embedder = FakeEmbedder()
    return snap, BruteForce(snap, embedder), embedder


def test_rrf_rewards_agreement() -> None:
    scores = rrf([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert max(scores, key=scores.__getitem__) == "b"
    assert rrf([], k=60) == {}


def test_hybrid_finds_by_words_and_collapses_copies() -> None:
    snap, store, embedder = make()
    q = analyze("Has the embassy in Caracas reopened?")
    hits = HybridRetriever(store).search(snap, q.terms, embedder.embed([q.text])[0], Filters())
    ids = [h.article_id for h in hits]
    assert ids[0] in {"new", "copy"}
    assert not {"new", "copy"} <= set(ids), "a syndicated copy must not crowd the results"
    assert all(h.fused > 0 for h in hits)
    assert [h.fused for h in hits] == sorted((h.fused for h in hits), reverse=True)


def test_date_and_article_filters_apply_to_both_searches() -> None:
    snap, store, embedder = make()
    q = analyze("embassy Caracas")
    qvec = embedder.embed([q.text])[0]
    only_2019 = Filters.build(since="2019", until="2019")
    assert only_2019.chroma_where(["body"]) == {
        "$and": [
            {"kind": "body"},
            {"published_sort": {"$gte": 20190000}},
            {"published_sort": {"$lte": 20199999}},
        ]
    }
    bm25_only = HybridRetriever(store, use_dense=False).search(snap, q.terms, qvec, only_2019)
    assert {h.article_id for h in bm25_only} == {"old"}
    picked = HybridRetriever(store, use_dense=False).search(
        snap, q.terms, qvec, Filters.build(article_ids=["new"])
    )
    assert {h.article_id for h in picked} == {"new"}
    undated = Filters.build(until="2030")  # a date filter excludes articles of unknown date
    assert not Filters.mask(undated, snap, ["body"])[
        [i for i, c in enumerate(snap.chunks) if c.article_id == "oil"]
    ].any()


def test_spelling_is_corrected_against_the_corpus() -> None:
    snap, _, _ = make()
    assert snap.correct("embasy") == "embassy"
    assert analyze("embasy reopned?", correct=snap.correct).terms == (stem("embassy"), "reopen")
    assert snap.correct("2013") == "2013"
    assert snap.correct("zzzzzz") == "zzzzzz"


def _corrected_over_the_whole_vocabulary(snap: Snapshot, word: str) -> str:
    """The correction as defined: any corpus word of 4+ letters sharing a one-deletion form
    with ``word`` (or being one), or a corpus word ``word`` is one letter longer than; the
    same first letter, the most frequent wins."""
    forms = _deletes(word) | {word}
    found = {d for d in _deletes(word) if d in snap.word_freq}
    found |= {
        w for w in snap.word_freq if len(w) >= 4 and w.isalpha() and (_deletes(w) | {w}) & forms
    }
    found = {w for w in found if w[0] == word[0] and w != word}
    return max(sorted(found), key=lambda w: snap.word_freq[w]) if found else word


def test_spelling_read_per_first_letter_corrects_as_the_whole_vocabulary_does() -> None:
    body = " ".join(
        "Ambassadors, embassies, diplomats and ministers met in Caracas, Caribbean capitals "
        "and Bogota; sanctions, shipments, exports and explorations were discussed by "
        f"delegations {i}."
        for i in range(3)
    )
    snap = Snapshot("g", {"a": article("a", body, None)}, chunk_article(article("a", body, None)))
    words = sorted(w for w in snap.word_freq if len(w) >= 5 and w.isalpha())
    misspelt = {
        variant
        for w in words
        for variant in (
            w[:2] + w[3:],  # a letter dropped
            w[:3] + "x" + w[3:],  # one added
            w[:1] + w[2] + w[1] + w[3:],  # two swapped
            w[:-1] + "q",  # the last one wrong
            "z" + w[1:],  # the first one wrong: no correction begins with another letter
        )
    }
    fixed = {m: snap.correct(m) for m in sorted(misspelt)}
    assert fixed == {m: _corrected_over_the_whole_vocabulary(snap, m) for m in sorted(misspelt)}
    assert fixed["amassadors"] == "ambassadors" and fixed["zmbassadors"] == "zmbassadors"
    assert sum(m != c for m, c in fixed.items()) > len(words)  # most variants are corrected


def test_exact_search_is_brute_force_within_the_filters() -> None:
    snap, store, embedder = make()
    snap = Snapshot(snap.generation, snap.articles, snap.chunks, store.vectors)
    qvec = embedder.embed(["embassy in Caracas reopened"])[0]
    everything = np.ones(snap.n_chunks, dtype=bool)
    got = exact_search(snap, qvec, 3, everything)
    assert got == store.query(qvec, 3)
    only_2019 = Filters.build(since="2019", until="2019").mask(snap, ["body"])
    assert [
        snap.chunks[snap.by_id[c]].article_id for c, _ in exact_search(snap, qvec, 5, only_2019)
    ] == ["old"]
    assert exact_search(snap, qvec, 5, np.zeros(snap.n_chunks, dtype=bool)) == []


def test_the_retriever_searches_in_memory_when_the_snapshot_has_vectors() -> None:
    snap, store, embedder = make()
    q = analyze("Has the embassy in Caracas reopened?")
    qvec = embedder.embed([q.text])[0]
    via_store = HybridRetriever(store).search(snap, q.terms, qvec, Filters())
    in_memory = Snapshot(snap.generation, snap.articles, snap.chunks, store.vectors)
    calls = len(store.wheres)
    exact = HybridRetriever(store).search(in_memory, q.terms, qvec, Filters())
    assert len(store.wheres) == calls, "the vector store is not asked"
    assert [h.chunk_id for h in exact] == [h.chunk_id for h in via_store]
