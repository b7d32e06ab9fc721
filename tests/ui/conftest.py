"""The seed articles indexed once per session, and one chat page served over a copy of them.

Tests that add articles to the served page add distinct ones and compare counts relative to
what they found, so the API and browser tests can share the server.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import pytest

from qa.assistant import Assistant
from qa.settings import Settings
from ui.app import build_app, launch

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_for(root: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "corpus_dir": root / "corpus",
        "data_dir": root / "data",
        "host": "127.0.0.1",
        "port": free_port(),
        "auth": None,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class Served:
    url: str
    assistant: Assistant
    app: gr.Blocks


@pytest.fixture(name="free_port")
def free_port_fixture() -> int:
    return free_port()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Path:
    """A folder with ``corpus/`` (the seeds) and ``data/`` (their index); copy before use."""
    root = tmp_path_factory.mktemp("seeded")
    shutil.copytree(SEEDS, root / "corpus")
    builder = Assistant(settings_for(root), embedder=real_embedder)  # type: ignore[arg-type]
    builder.snapshot()  # builds the index from corpus/
    builder.close()
    return root


def copy_seeded(seeded: Path, target: Path) -> Path:
    shutil.copytree(seeded, target)
    return target


@pytest.fixture(scope="session")
def served(
    seeded: Path, tmp_path_factory: pytest.TempPathFactory, real_embedder: object
) -> Iterator[Served]:
    root = copy_seeded(seeded, tmp_path_factory.mktemp("served") / "site")
    settings = settings_for(root)
    assistant = Assistant(settings, embedder=real_embedder)  # type: ignore[arg-type]
    assistant.snapshot()
    app = build_app(assistant)
    url = launch(app, settings, prevent_thread_lock=True)
    yield Served(url, assistant, app)
    app.close()
