"""Markdown and text with YAML front matter: its keys honoured, problems reported, body kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.config import IndexSettings
from index.formats.markdown import read_markdown
from index.ingest import load_corpus, parse_article

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FRONT = """---
title: "Oil deal signed: what it means"
date: 2024-07-03
source: Reuters
url: https://news.example/world/oil-deal
author: Maria Lopez
tags: [oil, venezuela]
---

# Oil deal signed: what it means

CARACAS, Jan 2, 2020 - Venezuela signed a deal on Wednesday to develop two gas fields.

Share this article

Analysts called it a thaw.
"""


def test_front_matter_keys_are_honoured() -> None:
    a = parse_article(FRONT, "oil")
    assert a.title == "Oil deal signed: what it means"
    assert (a.published, a.date_source, a.date_evidence) == (
        "2024-07-03",
        "front_matter",
        "date: 2024-07-03",
    )  # the front matter beats the dateline in the text (2020)
    assert (a.source, a.url, a.author) == (
        "Reuters",
        "https://news.example/world/oil-deal",
        "Maria Lopez",
    )
    assert a.body == (
        "CARACAS, Jan 2, 2020 - Venezuela signed a deal on Wednesday to develop two gas "
        "fields.\n\nAnalysts called it a thaw."
    )  # the repeated heading and the share button are gone, the dateline stays text


@pytest.mark.parametrize(
    "line,published",
    [
        ("published: 2026/07/03", "2026-07-03"),
        ("Published: 'July 3, 2026 10:15 a.m. ET'", "2026-07-03"),
        ("date: 2026-07-03T23:30:00-05:00", "2026-07-03"),  # the day as written, not UTC's
        ("publish_date: July 2024", "2024-07"),
        ("date: 2024", "2024"),
    ],
)
def test_date_keys_and_forms(line: str, published: str) -> None:
    a = parse_article(f"---\ntitle: T\n{line}\n---\nText of the article.\n", "x")
    assert (a.published, a.date_source) == (published, "front_matter")


@pytest.mark.parametrize("value", ["Jan 10", "last Tuesday", "yesterday", "soon"])
def test_a_date_that_does_not_parse_is_reported_and_the_text_dates_it(value: str) -> None:
    raw = f"---\ntitle: T\ndate: {value}\n---\nWashington, 9 January 2026\n\nText.\n"
    found, warnings = read_markdown(raw, "notes/a.md")
    assert found.date is None
    (warning,) = warnings
    assert warning.startswith("notes/a.md: the date is not used: ") and repr(value) in warning
    a = parse_article(raw, "a")
    assert (a.published, a.date_source) == ("2026-01-09", "dateline")


def test_year_is_never_guessed_from_today() -> None:
    a = parse_article("---\ntitle: T\ndate: Jan 10\n---\nText without any date.\n", "x")
    assert (a.published, a.date_source) == (None, "unknown")


def test_invalid_yaml_is_reported_and_the_article_kept(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: x: y\n---\nThe talks went on.\n")
    corpus = load_corpus(tmp_path, IndexSettings())
    (a,) = corpus.articles
    assert a.body == "The talks went on." and corpus.formats == {"a": "front matter"}
    (warning,) = corpus.warnings
    assert warning.startswith(f"{tmp_path / 'a.md'}: front matter is not valid YAML (")
    assert "\n" not in warning


def test_field_names_come_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.md").write_text(
        "---\nheadline: Talks resume\npubDate: 2023-11-15\nlink: https://n.example/t\n---\nText.\n"
    )
    monkeypatch.setenv("QA_TITLE_FIELDS", "headline")
    monkeypatch.setenv("QA_DATE_FIELDS", "pubdate, date")
    monkeypatch.setenv("QA_URL_FIELDS", "link")
    (a,) = load_corpus(tmp_path, IndexSettings()).articles
    assert (a.title, a.published, a.url) == ("Talks resume", "2023-11-15", "https://n.example/t")


def test_files_without_front_matter_pass_through_unchanged() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        found, warnings = read_markdown(raw, str(path))
        assert (found.text, found.format, warnings) == (raw, "text", [])
