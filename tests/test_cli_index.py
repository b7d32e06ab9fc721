"""``qa index``: summaries, flags over env vars, exit codes, one-line errors."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import FakeEmbedder

from index.embed import EMBEDDERS
from index.store import open_store
from qa import cli
from qa.cli import COMMANDS, Command, main, make_settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds its embedder from the registry: inject the fake there."""
    monkeypatch.setitem(EMBEDDERS, "minilm", lambda s: FakeEmbedder())
    for name in list(os.environ):
        if name.startswith("QA_"):
            monkeypatch.delenv(name)


def run_python(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_index_then_up_to_date(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert main(["index", str(seeds_copy), "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Indexed 5 articles, ")
    assert ": 5 added, 0 updated, 0 removed, 0 unchanged in " in out

    assert main(["index", str(seeds_copy), "--data-dir", str(data), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Index is up to date: 5 articles, ") and "(nothing changed)" in out

    assert main(["index", str(seeds_copy), "--data-dir", str(data), "--rebuild"]) == 0
    assert ": 5 added, 0 updated" in capsys.readouterr().out


def test_flags_win_over_environment(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("QA_CHUNK_TOKENS", "500")
    monkeypatch.setenv("QA_CORPUS_DIR", str(seeds_copy))
    assert main(["index", "--chunk-tokens", "64", "--chunk-overlap", "0", "--quiet"]) == 0
    settings = make_settings(chunk_tokens=64, chunk_overlap=0)
    assert settings.data_dir == tmp_path / "from-env"
    assert open_store(settings, FakeEmbedder(), create=False).count() > 0


def test_missing_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_python(
        "-m", "qa", "index", str(tmp_path / "nope"), "--data-dir", str(tmp_path / "d")
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "nope" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists(), "nothing is created for a bad folder"


def test_invalid_flag_value_is_a_user_error(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["index", str(seeds_copy), "--data-dir", str(tmp_path), "--chunk-tokens", "3"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "chunk_tokens" in err


def test_refused_files_exit_2_after_indexing_the_rest(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (seeds_copy / "scan.txt").write_bytes(b"\x00\x01PK\x03\x04" * 100)
    first = sorted(seeds_copy.glob("*.txt"))[0]
    (seeds_copy / "zz_again.txt").write_bytes(first.read_bytes())
    assert main(["index", str(seeds_copy), "--data-dir", str(tmp_path / "d"), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith("Indexed 5 articles")
    assert f"Duplicate: zz_again has the same content as {first.stem}" in captured.out
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "scan.txt" in warnings[0]


def test_corrupt_index_then_rebuild(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chroma = tmp_path / "d" / "chroma"
    chroma.mkdir(parents=True)
    (chroma / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    args = ["index", str(seeds_copy), "--data-dir", str(tmp_path / "d"), "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert str(chroma) in err and "qa index seeds/ --rebuild" in err
    assert main([*args, "--rebuild"]) == 0
    assert "5 added" in capsys.readouterr().out


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(COMMANDS, "index", Command("x", cli._add_index, interrupted))
    assert main(["index"]) == 130


def test_help_is_fast_because_heavy_libraries_load_lazily() -> None:
    result = run_python("-m", "qa", "--help")
    assert result.returncode == 0 and "index" in result.stdout
    probe = run_python(
        "-c",
        "import sys; from qa.cli import build_parser; build_parser().format_help(); "
        "heavy = ('torch', 'chromadb', 'sentence_transformers', 'llama_index.core', 'tiktoken'); "
        "print([m for m in heavy if m in sys.modules])",
    )
    assert probe.stdout.strip() == "[]", probe.stderr


def test_index_counts_formats_and_bad_input_exits_0(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    good = {"id": "a", "title": "Oil deal", "text": "The deal was signed.", "date": "2024-07-03"}
    (seeds_copy / "feed.jsonl").write_text(
        json.dumps(good) + "\n{broken\n" + json.dumps({"id": "b", "text": "Undated row."}) + "\n"
    )
    (seeds_copy / "nocol.csv").write_text("id,title\n1,No text column\n")
    (seeds_copy / "home.html").write_text("<html><body><nav>Home | World</nav></body></html>")
    (seeds_copy / "note.md").write_text("---\ntitle: Note\ndate: someday\n---\nTalks went on.\n")
    code = main(["index", str(seeds_copy), "--data-dir", str(tmp_path / "d"), "--quiet"])
    captured = capsys.readouterr()
    assert code == 0
    lines = captured.out.splitlines()
    assert lines[0].startswith("Indexed 8 articles, ")
    assert lines[1:4] == [
        "  text: 5 read, 5 dated",  # the seeds: dated by their catalog
        "  jsonl: 2 read, 1 dated",
        "  front matter: 1 read, 0 dated",
    ]
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 4
    for name in (
        "feed.jsonl:2: not valid JSON",
        "nocol.csv: no text column",
        "home.html: no main",
        "note.md: the date is not used",
    ):
        assert sum(name in w for w in warnings) == 1, name
