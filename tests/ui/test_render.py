"""Rendering answers as HTML: the marked span, escaping, abstentions, reader comments."""

from __future__ import annotations

import doctest
import html
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ui.render
from index.types import Article, Comment
from qa.types import Answer, Citation
from ui.render import (
    ABSTAIN_LABEL,
    COMMENT_LABEL,
    render_answer,
    render_article,
    render_citation,
    render_error,
    render_text,
)

SAFE_TAGS = {"div", "p", "sup", "span", "details", "summary", "mark", "a", "strong"}
SAFE_ATTRS = {"class", "title"}  # plus href/target/rel on a source's link (checked below)

BODY = (
    "CARACAS — Officials met on Wednesday in Antigua.\n\n"
    "The foreign minister said talks would begin soon. Nothing was signed.\n\n"
    "Later that week the embassy issued a statement."
)
SPAN = "The foreign minister said talks would begin soon."
START = BODY.index(SPAN)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <mark> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.marks: list[str] = []
        self._in_mark = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "mark":
            self._in_mark += 1
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark -= 1

    def handle_data(self, data: str) -> None:
        if self._in_mark:
            self.marks[-1] += data


def parse(markup: str) -> Tags:
    p = Tags()
    p.feed(markup)
    p.close()
    return p


def article(body: str = BODY, title: str = "Talks in Antigua", **kw: object) -> Article:
    return Article(
        id="a1",
        title=title,
        published="2013-06-05",
        date_source="catalog",
        source=None,
        body=body,
        **kw,  # type: ignore[arg-type]
    )


def cite(n: int = 1, start: int = START, quote: str = SPAN, **kw: object) -> Citation:
    fields: dict[str, object] = {
        "n": n,
        "article_id": "a1",
        "title": "Talks in Antigua",
        "published": "2013-06-05",
        "quote": quote,
        "start": start,
        "end": start + len(quote),
    }
    fields.update(kw)
    return Citation(**fields)  # type: ignore[arg-type]


def test_citation_marks_the_cited_span_in_quote_and_in_full_article() -> None:
    out = render_citation(cite(), article())
    tags = parse(out)
    assert tags.marks == [SPAN, SPAN]  # once in the quote, once in the whole article
    assert "5 Jun 2013" in out and "[1]" in out and "Talks in Antigua" in out
    # the whole article keeps the text around the span, in order
    full = render_article(article(), cite())
    text = html.unescape(full.split(">", 1)[1].rsplit("<", 1)[0]).replace("<mark>", "")
    assert text.replace("</mark>", "") == BODY
    assert "\n" not in out  # one line: a blank line would end the chat's HTML block


def test_quote_shows_context_from_the_same_paragraph_only() -> None:
    out = html.unescape(render_citation(cite(), article()).split("</summary>")[0])
    assert "Nothing was signed." in out  # the rest of the sentence's paragraph
    assert "Antigua." not in out.split("qa-quote")[1]  # previous paragraph not in the quote


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '" onmouseover="alert(1)" x="',
        "</mark></details><a href='javascript:alert(1)'>x</a>",
    ],
)
def test_article_text_quotes_and_titles_are_escaped(payload: str) -> None:
    body = f"Intro. {payload} said the minister. End."
    quote = f"{payload} said the minister."
    start = body.index(quote)
    a = article(body=body, title=f"Title {payload}")
    c = cite(start=start, quote=quote, title=f"Title {payload}")
    answer = Answer(text=f"{payload} [1]", citations=(c,))
    out = render_answer(answer, {"a1": a})
    tags = parse(out)
    assert {t for t, _ in tags.tags} <= SAFE_TAGS
    assert all(name in SAFE_ATTRS for _, attrs in tags.tags for name, _ in attrs)
    assert payload not in out
    assert html.escape(payload, quote=True) in out
    assert tags.marks[0] == quote  # the mark still lands on the (unescaped) span


def test_error_bubble_is_escaped() -> None:
    out = render_error("<b>bad</b> date")
    assert "&lt;b&gt;bad&lt;/b&gt;" in out and "qa-error" in out


def test_citation_markers_become_superscripts() -> None:
    assert render_text("A [1] and [12].").count('<sup class="qa-ref">') == 2
    assert "[x]" in render_text("[x]")


def test_abstention_is_labelled_and_shows_related_passages_not_citations() -> None:
    related = cite(n=1)
    answer = Answer(text="The articles don't say who won.", abstained=True, related=(related,))
    out = render_answer(answer, {"a1": article()})
    assert ABSTAIN_LABEL in out and "qa-abstained" in out
    assert "Related passages" in out and "Sources<" not in out
    assert "Talks in Antigua" in out and "5 Jun 2013" in out
    # the related passage is reading, not evidence: not highlighted in the summary
    summary = out.split("</summary>")[0]
    assert "<mark>" not in summary
    normal = render_answer(Answer(text="Officials met [1].", citations=(related,)), {})
    assert ABSTAIN_LABEL not in normal and "qa-abstained" not in normal


def test_reader_comments_are_labelled_as_opinion_and_sliced_from_comments() -> None:
    comment_text = "I think the talks are a sham."
    a = article(comments=(Comment("reader1", comment_text, 0, len(comment_text)),))
    c = cite(start=comment_text.index("the talks"), quote="the talks are a sham", kind="comment")
    out = render_citation(c, a)
    assert COMMENT_LABEL in out and "qa-comment" in out
    assert parse(out).marks == ["the talks are a sham", "the talks are a sham"]
    assert COMMENT_LABEL not in render_citation(cite(), article())


def test_unknown_date_and_missing_article_still_render() -> None:
    c = cite(published=None, article_id="gone")
    out = render_citation(c, None)
    assert "date unknown" in out and "no longer in the index" in out
    assert parse(out).marks == [SPAN]


def test_offsets_that_do_not_match_fall_back_to_the_quote() -> None:
    out = render_citation(cite(start=3), article())  # stale offsets
    assert parse(out).marks[0] == SPAN


def test_follow_up_shows_how_the_question_was_understood() -> None:
    answer = Answer(text="x", question="And when?", resolved_question="When did they meet?")
    assert "Understood as: When did they meet?" in render_answer(answer, {})


@given(
    st.text(min_size=1, max_size=300),
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=1, max_value=60),
)
def test_any_text_marks_exactly_its_span(text: str, start: int, length: int) -> None:
    start = min(start, len(text) - 1)
    end = min(len(text), start + length)
    quote = text[start:end]
    a = article(body=text)
    out = render_citation(cite(start=start, quote=quote), a)
    tags = parse(out)
    assert {t for t, _ in tags.tags} <= SAFE_TAGS
    norm = quote.replace("\r", "")
    assert tags.marks[-1] == norm  # the whole-article mark is exactly the span
    assert "\n" not in out and "\r" not in out


def test_docstring_examples() -> None:
    result = doctest.testmod(ui.render)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        'https://x.example/" onmouseover="alert(1)',
        "//evil.example/a",
    ],
)
def test_only_http_links_are_rendered_and_they_stay_one_attribute(url: str) -> None:
    tags = parse(render_citation(cite(url=url), article()))
    links = [attrs for tag, attrs in tags.tags if tag == "a"]
    for attrs in links:
        href = dict(attrs)["href"] or ""
        assert href.startswith("https://") and '"' not in href and " " not in href
        assert {name for name, _ in attrs} == {"class", "href", "target", "rel"}
    assert not links or url.startswith("https://")
    assert "javascript" not in str(links).lower()


def test_title_links_to_the_original_and_date_rule_shows_on_hover() -> None:
    c = cite(url="https://news.example/2024/07/03/oil?a=1&b=2", source="Daily <Planet>")
    c = Citation(**{**c.to_dict(), "date_source": "url"})
    out = render_citation(c, article())
    tags = parse(out)
    (link,) = [dict(attrs) for tag, attrs in tags.tags if tag == "a"]
    assert link["href"] == "https://news.example/2024/07/03/oil?a=1&b=2"  # unescaped by parser
    assert link["rel"] == "noopener noreferrer nofollow" and link["target"] == "_blank"
    (date,) = [dict(attrs) for tag, attrs in tags.tags if dict(attrs).get("class") == "qa-date"]
    assert date["title"] == "Date from the date in the article's link"
    assert "Daily &lt;Planet&gt;" in out  # the source is shown, escaped
    # without a link the title is plain text, and the article's rule is the fallback
    plain = parse(render_citation(cite(), article()))
    assert not [t for t, _ in plain.tags if t == "a"]
    (date,) = [dict(attrs) for tag, attrs in plain.tags if dict(attrs).get("class") == "qa-date"]
    assert date["title"] == "Date from the curated catalog"


def test_the_short_answer_leads_in_bold_and_is_bold_inside_its_quote() -> None:
    from qa.types import ShortAnswer

    article = Article("a1", "Talks", "2013-06", "catalog", None, BODY)
    lo = BODY.index("foreign minister")
    short = ShortAnswer("foreign minister", 1, lo, lo + len("foreign minister"), "OTHER")
    c = Citation(1, "a1", "Talks", "2013-06", SPAN, START, START + len(SPAN))
    answer = Answer(text=f"foreign minister [1]\n\n{SPAN} [1]", citations=(c,), short=short)
    out = render_answer(answer, {"a1": article})
    assert out.index('<p class="qa-short"><strong>foreign minister</strong>') < out.index("qa-text")
    assert '<strong class="qa-short-hl">foreign minister</strong>' in out
    assert out.count("foreign minister [1]") == 0  # the lead line is not repeated as prose
    tags = parse(out)
    assert {t for t, _ in tags.tags} <= SAFE_TAGS
    assert any("foreign minister" in m for m in tags.marks)
