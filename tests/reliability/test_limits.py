"""Documented caps, each enforced with a clear message: question length
(``max_question_chars``, truncated with a note), upload size (``max_file_bytes``), number of
sources (``top_k`` 1-20) and generation length (``max_new_tokens`` 1-1024, hard cap 512)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fakes import FakeEmbedder, FakeLLM
from pydantic import ValidationError
from reliability_helpers import TINY_CORPUS, write_corpus

import index.embed
from qa.assistant import Assistant, with_settings
from qa.cli import main
from qa.generate import MAX_NEW_TOKENS
from qa.settings import Settings
from qa.upload import UploadRefused


@pytest.fixture
def cli_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``qa ask`` flags for a small corpus, with the fake embedder as the default backend."""
    monkeypatch.setitem(index.embed.EMBEDDERS, "minilm", lambda s: FakeEmbedder())
    for name in list(os.environ):
        if name.startswith("QA_"):
            monkeypatch.delenv(name)
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    return ["--corpus", str(corpus), "--data-dir", str(tmp_path / "data")]


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    return err


def test_long_question_is_truncated_with_a_note(
    tiny_bot: Assistant, cli_site: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    limit = tiny_bot.settings.max_question_chars
    question = "What did the Alpha bridge cost? " + "and more " * 500
    answer = tiny_bot.ask(question)
    assert len(answer.question) == limit
    assert f"question truncated to {limit} characters" in answer.notes
    assert main(["ask", question, *cli_site]) == 0
    assert f"note: question truncated to {limit} characters" in capsys.readouterr().out


def test_question_limit_setting_is_validated(
    cli_site: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValidationError):
        Settings(max_question_chars=5)
    monkeypatch.setenv("QA_MAX_QUESTION_CHARS", "5")
    assert main(["ask", "Who?", *cli_site]) == 2
    assert "max_question_chars" in one_line_error(capsys)


@pytest.mark.parametrize("top_k", [0, -1, 21, 1000])
def test_number_of_sources_outside_1_to_20_is_refused(
    tiny_bot: Assistant, cli_site: list[str], capsys: pytest.CaptureFixture[str], top_k: int
) -> None:
    with pytest.raises(ValueError, match="top_k must be between 1 and 20"):
        tiny_bot.ask("What did the Alpha bridge cost?", top_k=top_k)
    assert main(["ask", "What did the Alpha bridge cost?", "-k", str(top_k), *cli_site]) == 2
    assert "between 1 and 20" in one_line_error(capsys)
    with pytest.raises(ValidationError):
        Settings(top_k=top_k)


def test_twenty_sources_is_the_most_shown(tiny_bot: Assistant) -> None:
    for question in ("What did the Alpha bridge cost?", "Who won the 1930 World Cup?"):
        answer = tiny_bot.ask(question, top_k=20)
        assert len(answer.citations) <= 20 and len(answer.related) <= 20
        answer = tiny_bot.ask(question, top_k=1)
        assert len(answer.citations) <= 1 and len(answer.related) <= 1


def test_top_k_from_the_environment_is_validated(
    cli_site: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QA_TOP_K", "50")
    assert main(["ask", "Who?", *cli_site]) == 2
    assert "top_k" in one_line_error(capsys)


def test_article_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", max_file_bytes=3000)
    bot = Assistant(settings, embedder=FakeEmbedder())
    with pytest.raises(UploadRefused, match=r"limit is 3,000 \(QA_MAX_FILE_BYTES\)"):
        bot.add_article("Too long\n\n" + "word " * 1000)
    assert sorted(p.stem for p in corpus.iterdir()) == sorted(TINY_CORPUS)


def test_corpus_file_over_the_size_limit_is_skipped_by_qa_index(
    cli_site: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = Path(cli_site[1])
    (corpus / "huge.txt").write_text("Huge\n\n" + "word " * 1000, encoding="utf-8")
    monkeypatch.setenv("QA_MAX_FILE_BYTES", "3000")
    assert main(["index", str(corpus), "--data-dir", cli_site[3], "--quiet"]) == 2
    out = capsys.readouterr()
    assert out.out.startswith(f"Indexed {len(TINY_CORPUS)} articles")
    (warning,) = [line for line in out.err.splitlines() if "huge.txt" in line]
    assert "3,000-byte limit" in warning and "QA_MAX_FILE_BYTES" in warning


def test_generation_length_is_capped_and_validated(
    tiny_bot: Assistant,
    cli_site: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for tokens, budget in ((7, 7), (1024, MAX_NEW_TOKENS)):
        llm = FakeLLM("The Alpha bridge cost ten million dollars [1].")
        bot = with_settings(tiny_bot, max_new_tokens=tokens)
        bot._generator = llm
        bot.ask("What did the Alpha bridge cost?", mode="generative")
        assert llm.max_tokens == [budget]
    for bad in (0, 1025):
        with pytest.raises(ValidationError):
            Settings(max_new_tokens=bad)
    monkeypatch.setenv("QA_MAX_NEW_TOKENS", "5000")
    assert main(["ask", "Who?", "--mode", "generative", *cli_site]) == 2
    assert "max_new_tokens" in one_line_error(capsys)
