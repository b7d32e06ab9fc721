"""Dates from metadata: forms read by dateparser, nothing guessed, one order of trust."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from index.config import IndexSettings
from index.formats.dating import TRUST_ORDER, DateClaim, choose, date_value, url_date
from index.ingest import load_corpus


@pytest.mark.parametrize(
    "value,iso",
    [
        ("2026/07/03", "2026-07-03"),
        ("July 3, 2026 10:15 a.m. ET", "2026-07-03"),
        ("2026-07-03T23:30:00-05:00", "2026-07-03"),
        ("2026-07-04T02:30:00+09:00", "2026-07-04"),
        ("Wed, 03 Jul 2024 10:15:00 GMT", "2024-07-03"),
        ("3rd July 2026", "2026-07-03"),
        ("3 juillet 2026", "2026-07-03"),
        ("20240703", "2024-07-03"),
        ("July 2024", "2024-07"),
        ("Q3 2024", "2024"),
        (2024, "2024"),
        (dt.date(2024, 7, 3), "2024-07-03"),
        (dt.datetime(2024, 7, 3, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "2024-07-03"),
    ],
)
def test_date_forms_at_the_precision_given(value: object, iso: str) -> None:
    assert date_value(value) == iso


@pytest.mark.parametrize(
    "value", ["Jan 10", "10 July", "yesterday", "3 days ago", "Tuesday", "last Tuesday", "", "x"]
)
def test_relative_and_year_less_dates_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        date_value(value)


def test_choose_follows_the_order_of_trust() -> None:
    claims = [DateClaim(f"20{10 + i}", source, None) for i, source in enumerate(TRUST_ORDER)]
    for i in range(len(claims)):
        assert choose(reversed(claims[i:])) == claims[i]
    assert choose([DateClaim(None, "metadata", None), DateClaim(None, "dateline", "Jan 10")]) == (
        None,
        "unknown",
        "Jan 10",
    )


def test_url_dates() -> None:
    assert url_date("https://n.example/world/2024/07/03/oil") == "2024-07-03"
    assert url_date("https://n.example/oil-2024-07-03.html") == "2024-07-03"
    assert url_date("https://n.example/2024/07/oil") is None  # a month only: no day guessed
    assert url_date("https://n.example/2031/01/05/far") == "2031-01-05"  # after today: kept
    assert url_date(None) is None


def _row(**kw: object) -> dict[str, object]:
    text = f"Caracas, 9 January 2026 - The talks went on, said the {kw['id']} envoy."
    return {"text": text, **kw}


def test_the_order_of_trust_over_a_folder(tmp_path: Path) -> None:
    """catalog > field / front matter > dateline > URL > unknown, each article through load."""
    rows = [
        _row(id="field", date="2026-01-08", url="https://n.example/2026/01/07/a"),
        _row(id="dateline", url="https://n.example/2026/01/07/b"),
        _row(id="url", text="The talks went on.", url="https://n.example/2026/01/07/c"),
        _row(id="none", text="The talks went on and on."),
        _row(id="cat", date="2026-01-08"),
        _row(id="badfield", date="Tuesday", url="https://n.example/2026/01/07/d"),
    ]
    (tmp_path / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "fm.md").write_text(
        "---\ndate: 2026-01-08\nurl: https://n.example/2026/01/07/e\n---\n"
        "Caracas, 9 January 2026 - The talks went on for a third day.\n"
    )
    (tmp_path / "catalog.toml").write_text('["feed#cat"]\npublished = "2026-01"\n')
    got = {
        a.id: (a.published, a.date_source) for a in load_corpus(tmp_path, IndexSettings()).articles
    }
    assert got == {
        "feed#field": ("2026-01-08", "metadata"),
        "feed#dateline": ("2026-01-09", "dateline"),
        "feed#url": ("2026-01-07", "url"),
        "feed#none": (None, "unknown"),
        "feed#cat": ("2026-01", "catalog"),
        "feed#badfield": ("2026-01-09", "dateline"),
        "fm": ("2026-01-08", "front_matter"),
    }
