"""Cleaning on the real seed pages and on small synthetic pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.clean import clean, normalize_text
from index.ingest import parse_article

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# Lines of each seed that are NOT article text (read by a person, not by the code).
NOT_BODY = {
    "000": ["World and Nation", "US and Venezuelan diplomats agree to work toward talks"],
    "001": ["Venezuela, US agree to 'improve relations,' says Caracas"],
    "002": [
        "Venezuela Seeks US Talks to Restore Embassies Amid Security Review",
        "2 min read",
        "Washington, Jan 10",
        "- IANS",
        "Share this article:",
    ],
    "003": [
        "US and Venezuela move to restore diplomatic relations after Maduro’s capture",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
    ],
    "004": [
        "Thursday, February 29, 2024",
        "LATIN AMERICA | 21-08-2019 12:56",
        "Venezuela, US have met 'secretly' for months, says Maduro",
        "More in (in spanish)",
    ],
}
COMMENTS_HEADING = "Reader Comments"


def _raw(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _raw_lines(prefix: str) -> list[str]:
    lines = [ln.strip() for ln in normalize_text(_raw(prefix)).split("\n")]
    if COMMENTS_HEADING in lines:
        lines = lines[: lines.index(COMMENTS_HEADING)]
    return [ln for ln in lines if ln]


@pytest.mark.parametrize("prefix", sorted(NOT_BODY))
def test_every_article_line_survives_verbatim(prefix: str) -> None:
    cleaned = clean(_raw(prefix))
    body_lines = set(cleaned.body.split("\n"))
    for line in _raw_lines(prefix):
        if line not in NOT_BODY[prefix]:
            assert line in body_lines, line


@pytest.mark.parametrize("prefix", sorted(NOT_BODY))
def test_non_article_lines_are_gone(prefix: str) -> None:
    cleaned = clean(_raw(prefix))
    body_lines = cleaned.body.split("\n")
    for line in NOT_BODY[prefix]:
        assert line not in body_lines
    assert cleaned.title == NOT_BODY[prefix][0] or cleaned.title in NOT_BODY[prefix]
    assert not cleaned.body.startswith(cleaned.title)


@pytest.mark.parametrize("prefix", sorted(NOT_BODY))
def test_paragraph_structure_is_kept(prefix: str) -> None:
    body = clean(_raw(prefix)).body
    assert body == body.strip()
    assert "\n\n\n" not in body
    paragraphs = body.split("\n\n")
    assert len(paragraphs) >= 8
    assert all(p.strip() == p and p for p in paragraphs)


def test_titles_of_the_seeds() -> None:
    assert clean(_raw("000")).title == "US and Venezuelan diplomats agree to work toward talks"
    assert clean(_raw("004")).title == "Venezuela, US have met 'secretly' for months, says Maduro"
    assert clean(_raw("003")).title.endswith("after Maduro’s capture")


def test_seed_002_reader_comments_are_split_off_with_authors() -> None:
    article = parse_article(_raw("002"), "002")
    authors = [c.author for c in article.comments]
    assert authors == ["Priya S", "Aditya G", "Sarah B", "Karthik V", "Nikhil C"]
    assert article.comments[0].text.startswith("The statement from Caracas is quite contradictory")
    assert article.comments[-1].text.endswith("skeptical of their own government's motives?")
    for comment in article.comments:
        assert article.comments_text[comment.start : comment.end] == comment.text
        assert comment.text not in article.body
        assert "\n" not in comment.text
    for line in ("Reader Comments", "Priya S", "We welcome thoughtful", "Leave a Comment"):
        assert line not in article.body
        assert line not in article.comments_text
    assert "Minimum 50 characters" not in article.comments_text


def test_seed_002_source_and_content_blocks() -> None:
    cleaned = clean(_raw("002"))
    assert cleaned.source == "IANS"
    assert "Washington, Jan 10" in cleaned.header_lines
    assert "Key Points: Venezuela-US Diplomatic Talks Begin as Embassy Review Launched" in (
        cleaned.body
    )
    assert "• Venezuela proposes exploratory diplomatic talks with US\n• US personnel" in (
        cleaned.body
    )
    assert "2 min read" not in cleaned.body


def test_repeated_caption_and_headline_appear_once() -> None:
    caption = (
        "Venezuelan President Nicolas Maduro is seeking reelection to a third, successive term"
    )
    assert clean(_raw("001")).body.count(caption) == 1
    cleaned = clean(_raw("003"))
    assert cleaned.title not in cleaned.body


def test_teaser_paragraph_printed_twice_keeps_its_place_in_context() -> None:
    body = clean(_raw("004")).body
    teaser = "Following those remarks, US National Security Adviser John Bolton said"
    assert body.count(teaser) == 1
    assert body.index("Maduro said he was ready to speak directly") < body.index(teaser)
    assert body.startswith("Venezuelan officials have been holding")


def test_section_labels_and_page_date_go_to_header_lines() -> None:
    assert clean(_raw("004")).header_lines[:2] == (
        "Thursday, February 29, 2024",
        "LATIN AMERICA | 21-08-2019 12:56",
    )
    assert clean(_raw("000")).header_lines[0] == "World and Nation"


def test_short_title_case_headline_followed_by_text_is_the_title() -> None:
    cleaned = clean("Maduro Wins Again\n\nCaracas voted on Sunday, officials said.")
    assert cleaned.title == "Maduro Wins Again"
    assert cleaned.body == "Caracas voted on Sunday, officials said."


def test_breadcrumb_and_caps_label_before_headline() -> None:
    raw = "Home > World > Americas\nPOLITICS\n\nTalks resume in Qatar\n\nThe two sides met."
    cleaned = clean(raw)
    assert cleaned.title == "Talks resume in Qatar"
    assert cleaned.body == "The two sides met."
    assert cleaned.header_lines == ("Home > World > Americas", "POLITICS", "Talks resume in Qatar")


def test_no_headline_keeps_everything_in_the_body() -> None:
    raw = "The two sides met on Monday in Doha, and agreed to keep talking next month.\n\nMore."
    cleaned = clean(raw)
    assert cleaned.title == ""
    assert cleaned.body == raw
    assert parse_article(raw, "world/x").title == "world/x"


def test_markdown_heading_and_front_matter() -> None:
    cleaned = clean("# Talks resume\n\nThe sides met.\n\n## Background\n\nThey met before.")
    assert cleaned.title == "Talks resume"
    assert cleaned.body == "The sides met.\n\n## Background\n\nThey met before."
    # front matter is read before cleaning (index.formats.markdown), not by clean()
    fm = parse_article(
        '---\ntitle: "Oil deal signed"\ndate: 2024-07-03\n---\nThe deal was signed.', "x"
    )
    assert (fm.title, fm.body) == ("Oil deal signed", "The deal was signed.")
    assert (fm.published, fm.date_source) == ("2024-07-03", "front_matter")
    known = clean("Oil deal signed\n\nThe deal was signed.", title="Oil deal signed")
    assert (known.title, known.body, known.header_lines) == (
        "Oil deal signed",
        "The deal was signed.",
        (),
    )


def test_comments_without_avatars_one_paragraph_each() -> None:
    raw = (
        "Oil deal signed\n\nThe deal was signed.\n\n3 Comments\n\n"
        "Maria L\nGreat news for the economy.\n2 hours ago\nReply\n\n"
        "Prices will not fall soon, I think.\n\n"
        "Please keep comments respectful and on topic."
    )
    cleaned = clean(raw)
    assert cleaned.body == "The deal was signed."
    assert [(c.author, c.text) for c in cleaned.comments] == [
        ("Maria L", "Great news for the economy."),
        ("", "Prices will not fall soon, I think."),
    ]
    assert (cleaned.comments[1].start, cleaned.comments[1].end) == (29, 64)


def test_boilerplate_lines_anywhere_go_but_similar_sentences_stay() -> None:
    raw = (
        "Oil deal signed\n\nShare this article\n5 min read\n\nThe deal was signed.\n\n"
        "Advertisement\n\nMore in Business\n\nShare prices rose 5 min after the read-out.\n\n"
        "Leave a Reply\n\nCancel reply\n\nMinimum 50 characters 0/50"
    )
    assert clean(raw).body == "The deal was signed.\n\nShare prices rose 5 min after the read-out."


@pytest.mark.parametrize(
    "signoff,source", [("- IANS", "IANS"), ("(AFP)", "AFP"), ("— Reuters", "Reuters")]
)
def test_agency_signoff_becomes_source(signoff: str, source: str) -> None:
    cleaned = clean(f"Oil deal signed\n\nThe deal was signed.\n\n{signoff}")
    assert (cleaned.body, cleaned.source) == ("The deal was signed.", source)


def test_dash_subheading_is_not_a_signoff() -> None:
    cleaned = clean("Oil deal signed\n\nThe deal was signed.\n\n- 'Increase in threats' -")
    assert cleaned.source is None
    assert cleaned.body.endswith("- 'Increase in threats' -")


WORDS = ["oil", "talks", "minister", "embassy", "sanctions", "vote", "said", "the", "in", "of"]
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(
    lambda ws: " ".join(ws).capitalize() + "."
)


@given(st.lists(sentence, min_size=1, max_size=8, unique=True))
def test_plain_prose_passes_through_unchanged(paragraphs: list[str]) -> None:
    raw = "\n\n".join(paragraphs)
    cleaned = clean("Talks in Qatar\n\n" + raw)
    assert cleaned.title == "Talks in Qatar"
    assert cleaned.body == raw
    assert cleaned.comments == ()


PAGE_LINES = st.sampled_from(
    [
        "",
        "Comments",
        "P",
        "Priya S",
        "- IANS",
        "WORLD",
        "Washington, Jan 10",
        "2 min read",
        "Thursday, February 29, 2024",
        "LATIN AMERICA | 21-08-2019 12:56",
        "The deal was signed.",
        "---",
        "title: x",
        "# T",
        "  • bullet",
        "Share this article:",
        "Reply",
    ]
)


@given(st.lists(st.one_of(PAGE_LINES, st.text(max_size=30)), max_size=25))
def test_any_page_gives_a_well_formed_article(lines: list[str]) -> None:
    article = parse_article("\n".join(lines), "fallback-id")
    assert article.title
    assert article.body == article.body.strip() and "\n\n\n" not in article.body
    assert not article.body or not article.body.startswith(article.title + "\n")
    for comment in article.comments:
        assert article.comments_text[comment.start : comment.end] == comment.text
