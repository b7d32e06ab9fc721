"""Arbitrary unicode through ingestion, chunking and ``ask``: no crash, offsets stay exact,
answers cite real spans.

The text strategies mix hypothesis' unicode with the characters that break naive text code:
control characters, bidi overrides and RTL scripts, emoji (multi-token, ZWJ sequences),
combining marks, BOMs, lone surrogates (Python strings can hold them even though files
cannot), CR/LF variants, abbreviations and datelines.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import assert_exact_spans, source_of

from index.chunk import chunk_article
from index.errors import UserError
from index.ingest import parse_article
from index.tokens import count_tokens
from index.types import Article
from qa.assistant import Assistant

PIECES = st.sampled_from(
    [
        "\x00", "\x07", "\x1b[31m", "\x7f", "\u202e", "\u200f", "\u2066", "\u200b", "\ufeff",
        "مرحبا بكم", "שלום עולם", "🙂", "👩\u200d👩\u200d👧", "🇻🇪", "e\u0301", "\u00a0",
        "\u2028", "\r\n", "\r", "\t", "\n", "\n\n", "Mr.", "U.S.", "…", "—", ". ", "? ",
        "CARACAS, 5 June 2013 — ", "Comments\n\n", "[1]", "<b>", "\U0010ffff", "\ud800",
        "Kerry met Jaua. ", "x" * 300, "Ω" * 50,
    ]
)  # fmt: skip
WORDS = st.sampled_from(["Venezuela", "talks", "bridge", "Jaua", "2013", "the", "met", "said"])
UNICODE = st.lists(
    st.one_of(PIECES, WORDS, st.text(max_size=24), st.characters()), max_size=80
).map("".join)
"""Text made of arbitrary unicode and the awkward pieces above, mixed."""
FILE_TEXT = UNICODE.map(lambda t: re.sub("[\ud800-\udfff]", "", t))
"""What a decoded file can hold: everything but lone surrogates."""
PROSE = st.lists(
    st.one_of(
        WORDS.map(lambda w: w + " "), WORDS.map(lambda w: w + ". "), PIECES, st.text(max_size=8)
    ),
    max_size=120,
).map("".join)
"""Mostly words, with the awkward pieces sprinkled in (so most of it is indexable)."""

ISO = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def assert_article_and_chunks(article: Article, max_tokens: int, overlap: int) -> None:
    assert article.title and isinstance(article.body, str)
    assert article.published is None or ISO.fullmatch(article.published), article.published
    joined = article.comments_text
    for c in article.comments:
        assert joined[c.start : c.end] == c.text
    chunks = chunk_article(article, max_tokens, overlap)
    covered: dict[str, set[int]] = {"body": set(), "comment": set()}
    for chunk in chunks:
        text = source_of(article, chunk.kind)
        assert text[chunk.start : chunk.end] == chunk.text, "chunk offsets are not exact"
        assert chunk.text.strip() == chunk.text and chunk.text
        assert count_tokens(chunk.text) <= max_tokens
        covered[chunk.kind].update(range(chunk.start, chunk.end))
    for kind in ("body", "comment"):
        text = source_of(article, kind)
        lost = [i for i, ch in enumerate(text) if not ch.isspace() and i not in covered[kind]]
        assert not lost, f"{kind} characters in no chunk: {text[lost[0] : lost[0] + 20]!r}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=FILE_TEXT, max_tokens=st.integers(8, 64), overlap=st.integers(0, 16))
@example(raw="", max_tokens=16, overlap=0)
@example(raw="\u202eCARACAS, 5 June 2013 — 🙂\x00\r\nComments\n\nann: no", max_tokens=8, overlap=2)
def test_any_text_ingests_and_chunks_with_exact_offsets(
    raw: str, max_tokens: int, overlap: int
) -> None:
    article = parse_article(raw, "fuzz/1", path="fuzz/1.txt")
    assert article.id == "fuzz/1"
    assert_article_and_chunks(article, max_tokens, overlap)


@pytest.mark.slow
@pytest.mark.parametrize(
    "line",
    [
        pytest.param("word " * 200_000, id="1MB-of-words"),
        pytest.param("x" * 1_000_000, id="1MB-no-spaces"),
        pytest.param("🙂مرحبا\u202e" * 125_000, id="1MB-emoji-rtl"),
    ],
)
def test_megabyte_line_ingests_and_chunks(line: str) -> None:
    raw = f"A very long line\n\nCARACAS, 5 June 2013 — {line}\n\nThe end."
    article = parse_article(raw, "long")
    assert article.published == "2013-06-05"
    assert len(article.body) >= len(line.strip())
    assert_article_and_chunks(article, 200, 40)


def assert_sane_answer(bot: Assistant, question: str) -> None:
    try:
        answer = bot.ask(question)
    except ValueError as e:
        # only a question with no letter or digit at all ("", "  ", "?!", "\x00") is empty
        assert not any(c.isalnum() for c in question), f"refused a non-empty question: {e}"
        assert "empty" in str(e)
        return
    assert_exact_spans(answer, bot.snapshot().articles)
    assert len(answer.question) <= bot.settings.max_question_chars
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers <= {c.n for c in answer.citations}, "a [n] marker points at no citation"
    assert answer.abstained or answer.citations


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(question=UNICODE)
@example(question="")
@example(question=" \t\n\u00a0")
@example(question="What did the Alpha bridge cost? " * 200)
@example(question="\x00\x07 مرحبا 🙂 who is Zoë Ñúñez?")
@example(question="\ud800 bridge \udfff")
def test_any_question_gets_an_answer_with_real_spans(tiny_bot: Assistant, question: str) -> None:
    assert_sane_answer(tiny_bot, question)


@pytest.mark.slow
def test_megabyte_question_is_answered_from_its_first_characters(tiny_bot: Assistant) -> None:
    question = "What did the Alpha bridge cost? " + "🙂x " * 333_000
    answer = tiny_bot.ask(question)
    assert len(answer.question) == tiny_bot.settings.max_question_chars
    assert any("truncated" in note for note in answer.notes)
    assert_exact_spans(answer, tiny_bot.snapshot().articles)


@pytest.mark.slow
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=PROSE, words=st.lists(WORDS, min_size=1, max_size=4))
@example(body="\ud800 lone surrogate in a pasted article", words=["surrogate"])
def test_any_added_article_is_indexed_whole_or_refused(
    tiny_bot: Assistant, body: str, words: list[str]
) -> None:
    text = f"Fuzzed report\n\nCARACAS, 5 June 2013 — {body}"
    try:
        article_id, _ = tiny_bot.add_article(text)
    except UserError as e:  # refused with a message (empty, binary, unencodable, ...)
        assert str(e).strip()
        return
    snap = tiny_bot.snapshot()
    article = snap.articles.get(article_id)
    if article is not None:  # (a file the corpus loader skips is reported, not indexed)
        expected = {c.id for c in chunk_article(article)}
        assert {c.id for c in snap.chunks if c.article_id == article_id} == expected
    assert_sane_answer(tiny_bot, " ".join(words) + " " + body[:200])
