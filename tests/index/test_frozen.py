"""Frozen encoders (index/frozen.py): the same numbers as the eager model, or the eager model."""

from __future__ import annotations

import doctest
from typing import Any

import numpy as np
import pytest

import index.frozen
from index.frozen import freeze

torch = pytest.importorskip("torch")


def test_docstring_examples() -> None:
    result = doctest.testmod(index.frozen)
    assert result.attempted > 0 and result.failed == 0


def _batch(tokenizer: Any, texts: list[str]) -> dict[str, Any]:
    return dict(tokenizer(texts, padding=True, truncation=True, return_tensors="pt"))


def test_the_frozen_encoder_gives_the_eager_token_vectors_on_unseen_shapes(
    real_embedder: Any,
) -> None:
    model = real_embedder._load()
    encoder, tok = model[0].auto_model, model.tokenizer
    forward = freeze(encoder, _batch(tok, ["a b c", "d"]), _batch(tok, ["e f", "g h i j", "k"]))
    assert forward is not None
    for texts in (["One text alone, unpadded."], ["Short.", "A longer one, padded to " * 5]):
        batch = _batch(tok, texts)
        with torch.inference_mode():
            want = encoder(**batch).last_hidden_state
        np.testing.assert_allclose(forward(batch).numpy(), want.numpy(), atol=1e-5)


def test_a_trace_that_fixed_a_branch_is_refused() -> None:
    class PadsAware(torch.nn.Module):
        """Ignores the mask when no row is padded: a trace on an unpadded batch keeps that."""

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            x = input_ids.float()
            if bool(attention_mask.all()):
                return (x,)
            return (x * attention_mask,)

    ones = {"input_ids": torch.ones(2, 3, dtype=torch.long)}
    unpadded = {**ones, "attention_mask": torch.ones(2, 3, dtype=torch.long)}
    padded = {**ones, "attention_mask": torch.tensor([[1, 1, 1], [1, 0, 0]])}
    assert freeze(PadsAware(), unpadded, padded) is None  # would drop the mask: refused
    assert freeze(PadsAware(), padded, padded) is not None


def test_an_untraceable_model_is_kept_eager() -> None:
    class Talks(torch.nn.Module):
        def forward(self, input_ids: Any) -> Any:
            return {"text": "not a tensor"}

    assert freeze(Talks(), {"input_ids": torch.ones(1, 2)}, {"input_ids": torch.ones(1, 2)}) is None


def test_a_few_texts_embed_as_sentence_transformers_encodes_them(real_embedder: Any) -> None:
    texts = ["  Kerry met Jaua in Guatemala. ", "Who runs Venezuela now?", "", "😀 ملاحظة"]
    assert real_embedder._frozen is not None  # the small calls take the frozen path
    fast = real_embedder.embed(texts)
    slow = real_embedder._load().encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    np.testing.assert_allclose(fast, slow, atol=1e-6)
    many = [f"Sentence {i} about {'the harbour ' * (i % 7)}in Caracas." for i in range(20)]
    np.testing.assert_allclose(
        real_embedder.embed(many),
        real_embedder._load().encode(many, convert_to_numpy=True, normalize_embeddings=True),
        atol=1e-6,
    )
