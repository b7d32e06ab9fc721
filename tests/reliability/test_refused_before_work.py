"""A folder a command writes into (``--data-dir``, ``--reports``, ``--work-dir``, ``--out``)
that is a file, or lies under one, is refused by the parser before any work starts: a
benchmark or a training run does not fail at its end for want of a place to write."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.cli import folder, main


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
