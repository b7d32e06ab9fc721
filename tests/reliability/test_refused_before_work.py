"""Flags that would spoil a long run are refused before any work starts: a folder a command
writes into (``--data-dir``, ``--reports``, ``--work-dir``, ``--out``) that is a file or lies
under one (the run failed at its end for want of a place to write), numbers out of range for
``qa train`` and ``qa bench``, a ``--baseline`` that is no baseline (the run compared with
nothing), and a trial training run (``--limit``) aimed at the shipped models."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.cli import folder, main, whole


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "Who?", "--data-dir", "{file}"],
        ["index", "{tmp}", "--data-dir", "{file}/below"],
        ["eval", "--reports", "{file}"],
        ["eval", "--benchmark", "realtimeqa", "--work-dir", "{file}"],
        ["bench", "--work-dir", "{file}"],
        ["train", "--out", "{file}/models"],
    ],
)
def test_an_output_folder_that_is_a_file_is_refused_before_any_work(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("mine", encoding="utf-8")
    args = [a.format(file=taken, tmp=tmp_path) for a in argv]
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"{taken} is a file, not a folder" in err and "Traceback" not in err
    assert taken.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing written


def test_a_folder_to_be_made_or_already_there_is_accepted(tmp_path: Path) -> None:
    assert folder(str(tmp_path)) == tmp_path
    assert folder(str(tmp_path / "new" / "deeper")) == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # made by the command that writes there


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["train", "--layers", "9"], "must be from 1 to 6 (got 9)"),
        (["train", "--epochs", "0"], "must be at least 1 (got 0)"),
        (["train", "--max-length", "4"], "must be at least 16 (got 4)"),
        (["train", "--negatives", "two"], "'two' is not a whole number"),
        (["train", "--lr", "-1"], "must be above 0 (got -1)"),
        (["train", "--limit", "0"], "must be at least 1 (got 0)"),
        (["bench", "--queries", "0"], "must be at least 1 (got 0)"),
        (["eval", "--baseline", "{file}"], "is not a baseline"),
    ],
)
def test_flags_out_of_range_are_refused_by_the_parser(
    tmp_path: Path, argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"  # a file that is no baseline
    notes.write_text("mine", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main([a.format(file=notes) for a in argv])
    assert stop.value.code == 2 and says in capsys.readouterr().err


def test_a_trial_training_run_must_name_where_its_models_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qa.rerank import SHIPPED_RANKER

    before = (SHIPPED_RANKER / "model.safetensors").stat().st_mtime_ns
    assert main(["train", "--parts", "ranker", "--limit", "5", "--data", str(tmp_path)]) == 2
    assert "--out" in capsys.readouterr().err
    assert (SHIPPED_RANKER / "model.safetensors").stat().st_mtime_ns == before
    assert whole(1, 6)("6") == 6
