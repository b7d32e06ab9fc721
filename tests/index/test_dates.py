"""Published dates from datelines: the traps in the seeds, common formats, no made-up years."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.dates import extract_date, find_date, is_date_line
from index.ingest import parse_article

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _seed(prefix: str) -> tuple[str, str]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8"), path.stem


def test_page_date_loses_to_section_dateline_with_time() -> None:
    lines = ["Thursday, February 29, 2024", "LATIN AMERICA | 21-08-2019 12:56", "Headline"]
    assert extract_date(lines, title="Headline") == (
        "2019-08-21",
        "dateline",
        "LATIN AMERICA | 21-08-2019 12:56",
    )


def test_page_date_loses_to_dateline_with_time_even_below_it() -> None:
    found = extract_date(["Monday, March 4, 2024", "Headline", "Aug. 21, 2019 10:30 a.m."])
    assert found.published == "2019-08-21"


def test_page_date_loses_to_bare_date_under_the_headline() -> None:
    lines = ["Thursday, February 29, 2024", "Headline", "21 August 2019"]
    assert extract_date(lines, title="Headline").published == "2019-08-21"


def test_lone_bare_date_is_used() -> None:
    assert extract_date(["Thursday, February 29, 2024", "Headline"], title="Headline") == (
        "2024-02-29",
        "dateline",
        "Thursday, February 29, 2024",
    )


def test_date_with_a_labelled_update_is_the_page_date() -> None:
    # a real scraped page: the timeline line below must not date the page
    lines = ["Headline", "March 22, 2025 Updated July 23, 2025, 3:47 p.m. ET", "Sept. 12, 2024"]
    assert extract_date(lines, title="Headline").published == "2025-03-22"


def test_a_timeline_of_date_lines_dates_nothing_and_stays_in_the_text() -> None:
    raw = (
        "Quakes in the region\n\nA strong quake shook the valley on Tuesday, officials said.\n\n"
        "Below are some notable quakes of recent decades:\n\nJUNE 1, 2004\n\n"
        "A quake of magnitude 6 struck the north.\n\nMARCH 3, 1999\n\nA smaller one hit."
    )
    article = parse_article(raw, "quakes")
    assert article.published is None
    assert "JUNE 1, 2004" in article.body and "MARCH 3, 1999" in article.body


def test_a_date_line_deep_in_the_story_is_not_its_dateline() -> None:
    story = "\n\n".join(f"Paragraph {i} of a long profile, with many words in it." * 3
                         for i in range(40))  # fmt: skip
    article = parse_article(f"A long profile\n\n{story}\n\n12/10/1982\n\nHe was ordained.", "p")
    assert article.published is None and "12/10/1982" in article.body
    near = parse_article("A short story\n\nWashington, Jan 10, 2026\n\nTalks began.", "q")
    assert near.published == "2026-01-10"


def test_published_label_beats_updated_label() -> None:
    lines = ["Updated: 2020-01-05", "Published: 3 January 2020"]
    assert extract_date(lines).published == "2020-01-03"


def test_dateline_without_year_gives_no_date_but_keeps_evidence() -> None:
    assert extract_date(["Headline", "Washington, Jan 10"], title="Headline") == (
        None,
        "unknown",
        "Washington, Jan 10",
    )


def test_yearless_dateline_does_not_borrow_the_page_year() -> None:
    found = extract_date(["Friday, January 10, 2025", "Headline", "Washington, Jan 10"], "Headline")
    assert found.published is None
    assert found.evidence == "Washington, Jan 10"


def test_no_date_at_all() -> None:
    assert extract_date(["US and Venezuelan diplomats agree", "World and Nation"]) == (
        None,
        "unknown",
        None,
    )


def test_inline_agency_dateline_at_the_start_of_the_body() -> None:
    first = "NEW YORK, Aug 21, 2019 (Reuters) - Oil prices rose on Wednesday."
    assert extract_date(["Oil rises", first], title="Oil rises") == (
        "2019-08-21",
        "dateline",
        "NEW YORK, Aug 21, 2019 (Reuters)",
    )


def test_place_without_date_is_not_a_dateline() -> None:
    body = "CARACAS, Venezuela — After months of tensions, Kerry met Jaua on Wednesday."
    assert extract_date([body]) == (None, "unknown", None)


@pytest.mark.parametrize(
    "text",
    [
        "2019-08-21",
        "2019-08-21T12:56:00Z",
        "21-08-2019",
        "21.08.2019",
        "21/08/2019",
        "08/21/2019",
        "August 21, 2019",
        "Aug. 21, 2019",
        "Aug 21 2019",
        "21 August 2019",
        "21st August, 2019",
        "Wednesday, August 21, 2019",
        "Wed, 21 Aug 2019 12:56 GMT",
        "August 21, 2019 at 3:45 p.m. EDT",
        "LATIN AMERICA | 21-08-2019 12:56",
        "Posted on 21 August 2019",
        "Caracas, 21 August 2019",
    ],
)
def test_common_formats(text: str) -> None:
    assert is_date_line(text)
    assert extract_date([text]).published == "2019-08-21"


def test_ambiguous_numeric_date_is_day_first() -> None:
    assert extract_date(["05-06-2019"]).published == "2019-06-05"


@pytest.mark.parametrize("text", ["31-02-2019", "2019-13-01", "February 30, 2019", "99/99/2019"])
def test_impossible_dates_are_not_dates(text: str) -> None:
    assert extract_date([text]).published is None


@pytest.mark.parametrize(
    "line",
    [
        "Washington, Jan 10 (IANS) The Venezuelan government said it wants talks.",
        "He met Jaua on Wednesday, June 5, 2013, in Antigua.",
        "Key Points: Venezuela-US Diplomatic Talks Begin",
        "Venezuela, US have met 'secretly' for months, says Maduro",
    ],
)
def test_sentences_are_not_date_lines(line: str) -> None:
    assert not is_date_line(line)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_written_dates_read_back(day: dt.date) -> None:
    for text in (
        day.isoformat(),
        day.strftime("%d-%m-%Y"),
        day.strftime("%B %d, %Y"),
        day.strftime("%d %b %Y"),
        day.strftime("%A, %B %d, %Y %H:%M"),
    ):
        found = find_date(text)
        assert found is not None and found.iso == day.isoformat(), text


def test_seed_004_page_date_trap_without_catalog() -> None:
    raw, stem = _seed("004")
    article = parse_article(raw, stem)
    assert (article.published, article.date_source) == ("2019-08-21", "dateline")
    assert article.date_evidence == "LATIN AMERICA | 21-08-2019 12:56"


def test_seed_002_dateline_without_year_without_catalog() -> None:
    raw, stem = _seed("002")
    article = parse_article(raw, stem)
    assert (article.published, article.date_source) == (None, "unknown")
    assert article.date_evidence == "Washington, Jan 10"


@pytest.mark.parametrize("prefix", ["000", "001", "003"])
def test_seeds_without_dateline_have_no_date_without_catalog(prefix: str) -> None:
    raw, stem = _seed(prefix)
    article = parse_article(raw, stem)
    assert (article.published, article.date_source, article.date_evidence) == (
        None,
        "unknown",
        None,
    )
