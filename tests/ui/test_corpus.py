"""The corpus tab's table and summary, reading uploads, and the auth setting."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import ui.app
from index.errors import UserError
from index.types import Article, Chunk
from qa.settings import Settings
from qa.snapshot import Snapshot
from qa.upload import UploadRefused
from ui.app import parse_auth, serve
from ui.corpus import corpus_rows, corpus_summary, read_upload


def _article(aid: str, title: str, published: str | None) -> Article:
    return Article(aid, title, published, "catalog", None, f"{title} body text.")


def _snapshot() -> Snapshot:
    articles = {
        "old": _article("old", "Old talks", "2013-06"),
        "new": _article("new", "New embassy", "2026-01-10"),
        "undated": _article("undated", "Undated note", None),
    }
    chunks = [
        Chunk("old#0", "old", "body", "Old talks body", 0, 14),
        Chunk("new#0", "new", "body", "New embassy", 0, 11),
        Chunk("new#1", "new", "body", "body text.", 12, 22),
    ]
    return Snapshot("g1", articles, chunks)


def test_rows_are_newest_first_with_human_dates_and_chunk_counts() -> None:
    rows = corpus_rows(_snapshot())
    assert rows == [
        ["New embassy", "10 Jan 2026", 2, 0, "new"],
        ["Old talks", "Jun 2013", 1, 0, "old"],
        ["Undated note", "date unknown", 0, 0, "undated"],
    ]


def test_summary_names_count_and_date_range() -> None:
    assert corpus_summary(_snapshot()) == "3 articles, Jun 2013 – 10 Jan 2026, 3 passages"
    assert "No articles" in corpus_summary(Snapshot("g0", {}, []))


def test_read_upload_returns_text_and_base_name(tmp_path: Path) -> None:
    path = tmp_path / "Harbor news.md"
    path.write_bytes("\ufeffThe harbor opened.".encode())
    assert read_upload(path, 1000) == ("The harbor opened.", "Harbor news.md")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("evil.html", b"<script>", "Only .txt and .md"),
        ("big.txt", b"x" * 101, "limit is 100"),
        ("latin.txt", "café".encode("latin-1"), "not UTF-8"),
    ],
)
def test_read_upload_refuses_wrong_type_size_or_encoding(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UploadRefused, match=message):
        read_upload(path, 100)


def test_parse_auth() -> None:
    assert parse_auth("ana:pa:ss") == ("ana", "pa:ss")
    assert parse_auth(None) is None and parse_auth("") is None
    for bad in ("ana", ":pw", "ana:"):
        with pytest.raises(UserError, match="user:password"):
            parse_auth(bad)


def test_qa_chat_refuses_a_bad_auth_before_opening_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(corpus_dir=tmp_path / "none", data_dir=tmp_path / "data", auth="ana")
    with pytest.raises(UserError, match="user:password"):
        serve(settings)
    assert capsys.readouterr().out == "" and not (tmp_path / "data").exists()


def test_docstring_examples() -> None:
    result = doctest.testmod(ui.app)
    assert result.attempted > 0 and result.failed == 0
