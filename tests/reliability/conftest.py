"""Assistants for the reliability tests: a quick fake-embedder one and a real seed one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes import FakeEmbedder
from reliability_helpers import TINY_CORPUS, copy_seeds, write_corpus

from qa.assistant import Assistant
from qa.settings import Settings


@pytest.fixture(scope="module")
def tiny_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """An Assistant over three small articles, with the fake embedder (index built at once)."""
    root = tmp_path_factory.mktemp("tiny")
    corpus = write_corpus(root / "corpus", TINY_CORPUS)
    bot = Assistant(Settings(corpus_dir=corpus, data_dir=root / "data"), embedder=FakeEmbedder())
    bot.snapshot()
    yield bot
    bot.close()


@pytest.fixture(scope="session")
def real_seed_bot(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: object
) -> Iterator[Assistant]:
    """The seed articles indexed with the real model in a private folder, once per session."""
    root = tmp_path_factory.mktemp("real-seeds")
    corpus = copy_seeds(root / "corpus")
    bot = Assistant(
        Settings(corpus_dir=corpus, data_dir=root / "data"),
        embedder=real_embedder,  # type: ignore[arg-type]
    )
    bot.snapshot()
    yield bot
    bot.close()
