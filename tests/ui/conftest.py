"""A chat page served over a private copy of the seeds, one per test module."""

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


@dataclass
class Served:
    url: str
    assistant: Assistant
    app: gr.Blocks


def serve_seeds(root: Path, embedder: object, **settings: object) -> Served:
    corpus = root / "corpus"
    shutil.copytree(SEEDS, corpus)
    s = Settings(
        corpus_dir=corpus,
        data_dir=root / "data",
        host="127.0.0.1",
        port=free_port(),
        auth=None,
        **settings,  # type: ignore[arg-type]
    )
    assistant = Assistant(s, embedder=embedder)  # type: ignore[arg-type]
    assistant.snapshot()  # builds the index from the copied seeds
    app = build_app(assistant)
    url = launch(app, s, prevent_thread_lock=True)
    return Served(url, assistant, app)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Iterator[Served]:
    page = serve_seeds(tmp_path_factory.mktemp("ui"), real_embedder)
    yield page
    page.app.close()
