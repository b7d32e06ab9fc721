"""An Assistant over a real index of the seed articles, built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.assistant import Assistant
from qa.settings import Settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="session")
def seed_bot(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: object
) -> Iterator[Assistant]:
    data = tmp_path_factory.mktemp("seed-index")
    settings = Settings(corpus_dir=SEEDS, data_dir=data)
    bot = Assistant(settings, embedder=real_embedder)  # type: ignore[arg-type]
    bot.snapshot()  # builds the index from seeds/ on first use
    yield bot
