"""``serve(settings)`` (what ``qa chat`` runs): opens the index, prints the address, serves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCRIPT = "from qa.settings import Settings; from ui.app import serve; serve(Settings())"


def test_serve_opens_the_index_prints_the_address_and_serves_locally(
    seeded: Path, tmp_path: Path, free_port: int
) -> None:
    root = tmp_path / "site"
    shutil.copytree(seeded, root)  # an index already built: serve() only opens it
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("QA_")},
        "QA_CORPUS_DIR": str(root / "corpus"),
        "QA_DATA_DIR": str(root / "data"),
        "QA_PORT": str(free_port),
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once the index is ready, before serving
        assert f"http://127.0.0.1:{free_port}" in line, line
        for _ in range(600):  # until the server accepts connections (or the process dies)
            try:
                response = httpx.get(f"http://127.0.0.1:{free_port}/config")
                break
            except httpx.TransportError:
                assert proc.poll() is None, "serve() exited early"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()["title"] == "News QA"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
