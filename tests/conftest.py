"""Shared fixtures: the real embedding model (loaded once per session) and paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.config import set_offline_env

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[object]:
    """The packaged all-MiniLM-L6-v2, loaded once for the whole session."""
    set_offline_env()
    from index.embed import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(batch_size=32)
    embedder.embed(["warm up"])
    yield embedder


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seed articles, free to edit."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(SEEDS.iterdir()):
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    return folder
