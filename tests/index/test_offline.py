"""``qa index`` and ``qa ask`` with the real embedder work with every network connection refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Runs before anything else in the child: any attempt to reach the network fails loudly.
NO_NETWORK = r"""
import socket, sys

def _refuse(what, target):
    sys.stderr.write(f"NETWORK-ATTEMPT {what} {target!r}\n")
    raise OSError(f"network disabled by the test ({what} {target!r})")

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex

def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse("connect", address)
    return _connect(self, address)

def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse("connect_ex", address)
    return _connect_ex(self, address)

socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.create_connection = lambda address, *a, **k: _refuse("create_connection", address)
socket.getaddrinfo = lambda host, *a, **k: _refuse("getaddrinfo", host)

import runpy
sys.argv = ["qa", *sys.argv[1:]]
runpy.run_module("qa", run_name="__main__", alter_sys=True)
"""

OFFLINE_VARS = (
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_DATASETS_OFFLINE",
    "TIKTOKEN_CACHE_DIR",
    "ANONYMIZED_TELEMETRY",
)


@pytest.mark.slow
def test_index_and_ask_run_with_the_network_blocked(seeds_copy: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in OFFLINE_VARS and not k.startswith(("QA_", "HF_"))
    }
    # empty caches: nothing may come from a hub cache or a tiktoken download cache
    env |= {"PYTHONPATH": str(REPO), "HOME": str(home), "HF_HOME": str(home / "hf")}
    env |= {"TMPDIR": str(tmp_path), "XDG_CACHE_HOME": str(home / "cache")}

    def qa(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", NO_NETWORK, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    result = qa("index", str(seeds_copy), "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("Indexed 5 articles"), result.stdout
    assert "NETWORK-ATTEMPT" not in result.stderr, result.stderr[-3000:]
    # The whole pipeline: question -> retrieval -> grounded answer, still with no network.
    question = "Who met Elías Jaua in Guatemala?"
    args = ["--corpus", str(seeds_copy), "--data-dir", str(tmp_path), "--json"]
    result = qa("ask", question, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "NETWORK-ATTEMPT" not in result.stderr, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert not answer["abstained"] and answer["citations"][0]["quote"]
    # the short answer came through the short-answer model (its base model read by path)
    assert answer["short"] is not None and answer["short"]["text"] in answer["answer"]


@pytest.mark.slow
def test_every_format_indexes_with_the_network_blocked(tmp_path: Path) -> None:
    """trafilatura, htmldate, dateparser and python-frontmatter need nothing from outside."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "page.html").write_text(
        '<html><head><meta property="article:published_time" content="2024-07-03">'
        '<link rel="canonical" href="https://n.example/2024/07/03/oil"></head><body><article>'
        "<h1>Oil deal</h1><p>Venezuela signed a deal on Wednesday to develop two gas fields."
        "</p></article></body></html>"
    )
    (corpus / "feed.jsonl").write_text(
        json.dumps(
            {"id": "a", "text": "Talks resumed in Doha.", "date": "July 3, 2026 10:15 a.m. ET"}
        )
        + "\n"
    )
    (corpus / "rows.csv").write_text(
        "id,text,published\n1,Counting began on Sunday.,3 juillet 2026\n"
    )
    (corpus / "note.md").write_text(
        "---\ntitle: Note\ndate: 2026/07/03\n---\nThe embassy reopened.\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_VARS and not k.startswith("QA_")}
    env |= {"PYTHONPATH": str(REPO), "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, "index", str(corpus), "--data-dir", str(tmp_path / "d")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "NETWORK-ATTEMPT" not in result.stderr, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Indexed 4 articles")
    assert sorted(lines[1:5]) == sorted(
        ["  html: 1 read, 1 dated", "  jsonl: 1 read, 1 dated", "  csv: 1 read, 1 dated",
         "  front matter: 1 read, 1 dated"]
    )  # fmt: skip
