"""Saved web pages: main text without boilerplate, metadata, dates, reader comments."""

from __future__ import annotations

from pathlib import Path

import pages
import pytest
from pages import EMPTY_PAGE, PAGES, Page

from index.config import IndexSettings
from index.formats.html import read_html
from index.ingest import build_article, load_corpus


@pytest.mark.parametrize("p", PAGES, ids=[p.name for p in PAGES])
def test_page_gives_its_text_metadata_date_and_comments(p: Page) -> None:
    a = build_article(read_html(p.html, p.name), p.name)
    assert a.title == p.title
    assert a.body.split("\n\n") == [" ".join(x.split()) for x in p.paragraphs]
    for noise in p.noise:
        assert noise not in a.body, noise
    assert [c.text for c in a.comments] == list(p.comments)
    assert all(c.text not in a.body for c in a.comments)
    assert (a.published, a.date_source) == (p.published, p.date_source)
    assert (a.url, a.source) == (p.url, p.source or "planet.example")


def test_the_html_reader_is_chosen_by_measurement() -> None:
    """On the same pages, the HTML reader keeps the article and drops every piece of noise;
    the text cleaner, handed the page's text, keeps the noise and misses dates and comments."""
    got = pages.measure()
    assert got["html reader"] == {
        "recall": 1.0,
        "noise leaked": 0,
        "comments split": 1.0,
        "date right": 1.0,
    }
    text = got["text cleaner"]
    assert text["noise leaked"] > 20 and text["date right"] < 0.5
    assert text["comments split"] < got["html reader"]["comments split"]


def test_related_links_and_copyright_never_date_a_page() -> None:
    """No date in the metadata, text or URL: unknown, not a related story's 2019 date."""
    (no_date,) = [p for p in PAGES if p.name == "no-date"]
    assert "January 5, 2019" in no_date.html and "© 2025" in no_date.html
    a = build_article(read_html(no_date.html, "x"), "x")
    assert (a.published, a.date_source) == (None, "unknown")


def test_meta_date_evidence_and_author() -> None:
    found = read_html(PAGES[0].html, "p.html")
    assert found.date is not None
    assert found.date.evidence == "article:published_time: 2024-07-03T10:15:00-04:00"
    assert found.author == "Maria Lopez"
    ld = read_html(PAGES[1].html, "p.html")
    assert ld.date is not None
    assert ld.date.evidence == "JSON-LD datePublished: 2023-11-15T08:00:00Z"


def test_a_partial_meta_date_is_not_completed() -> None:
    """htmldate would add a day to "2023-11"; the metadata states only the month."""
    html = PAGES[1].html.replace('"2023-11-15T08:00:00Z"', '"2023-11"')
    found = read_html(html, "p.html")
    assert found.date == ("2023-11", "html_meta", "JSON-LD datePublished: 2023-11")
    meta = '<meta property="article:published_time" content="2023-11">'
    found = read_html(PAGES[2].html.replace("</head>", meta + "</head>"), "p.html")
    assert found.date == ("2023-11", "html_meta", "article:published_time: 2023-11")


def test_page_without_main_text_is_one_warning_and_the_rest_loads(tmp_path: Path) -> None:
    (tmp_path / "home.html").write_text(EMPTY_PAGE, encoding="utf-8")
    (tmp_path / "oil.htm").write_text(PAGES[0].html, encoding="utf-8")
    (tmp_path / "note.txt").write_text("Note\n\nThe embassy stayed closed.\n", encoding="utf-8")
    corpus = load_corpus(tmp_path, IndexSettings())
    assert [a.id for a in corpus.articles] == ["note", "oil"]
    (warning,) = corpus.warnings
    assert warning.startswith(f"{tmp_path / 'home.html'}: no main text found in the page")
    assert "\n" not in warning and not warning.startswith("Skipped")
    assert corpus.keep == ("home",)
    assert corpus.formats == {"note": "text", "oil": "html"}


def test_page_in_latin1_and_binary_page(tmp_path: Path) -> None:
    p = PAGES[0]
    latin = p.html.replace("<head>", '<head><meta charset="iso-8859-1">').replace(
        "Analysts said", "Analysts in Bogotá said"
    )
    (tmp_path / "latin.html").write_bytes(latin.encode("latin-1"))
    (tmp_path / "scan.html").write_bytes(b"%PDF-1.4" + bytes(range(256)))
    corpus = load_corpus(tmp_path, IndexSettings())
    (a,) = corpus.articles
    assert "Analysts in Bogotá said" in a.body
    (warning,) = corpus.warnings
    assert warning.startswith("Skipped: ") and "scan.html" in warning and "binary" in warning


def test_page_size_limit_is_its_own(tmp_path: Path) -> None:
    (tmp_path / "oil.html").write_text(PAGES[0].html, encoding="utf-8")
    size = (tmp_path / "oil.html").stat().st_size
    assert size > 1000
    # a page larger than the article limit still loads: pages carry markup besides the text
    assert load_corpus(tmp_path, IndexSettings(max_file_bytes=1000)).articles
    with pytest.raises(Exception, match="QA_MAX_PAGE_BYTES"):
        load_corpus(tmp_path, IndexSettings(max_page_bytes=1000))


def test_main_text_over_the_article_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "oil.html").write_text(PAGES[0].html, encoding="utf-8")
    (tmp_path / "note.txt").write_text("Note\n\nThe embassy stayed closed.\n", encoding="utf-8")
    corpus = load_corpus(tmp_path, IndexSettings(max_file_bytes=200))
    assert [a.id for a in corpus.articles] == ["note"]
    (warning,) = corpus.warnings
    assert warning.startswith(f"Skipped: {tmp_path / 'oil.html'}: its main text is ")
    assert "200-byte article limit" in warning
