"""Sentence splitting and chunking: exact offsets, full coverage, token bounds, stable ids."""

from __future__ import annotations

import doctest
import itertools
from pathlib import Path

import pytest
from fakes import make_article
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import index.chunk
import index.tokens
from index.chunk import chunk_article, split_long, split_sentences
from index.config import IndexSettings
from index.ingest import load_corpus
from index.tokens import count_tokens
from index.types import Article, Chunk


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def source_of(article: Article, chunk: Chunk) -> str:
    return article.comments_text if chunk.kind == "comment" else article.body


def assert_invariants(article: Article, chunks: list[Chunk], max_tokens: int) -> None:
    for kind, text in (("body", article.body), ("comment", article.comments_text)):
        covered = bytearray(len(text))
        for c in chunks:
            if c.kind != kind:
                continue
            assert text[c.start : c.end] == c.text
            assert c.text and not c.text[0].isspace() and not c.text[-1].isspace()
            assert count_tokens(c.text) <= max_tokens
            covered[c.start : c.end] = b"\1" * (c.end - c.start)
        uncovered = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
        assert not uncovered, f"{kind} chars not in any chunk: {uncovered[:5]}"
    assert len({c.id for c in chunks}) == len(chunks)


@pytest.mark.parametrize("module", [index.chunk, index.tokens])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


def test_sentence_rules() -> None:
    text = (
        "U.S. officials met Mr. Jaua on Jan. 5 in Antigua. John T. McNamara spoke! "
        "Did it work? “Yes,” he said… 2024 was calm. it continued in lower case."
    )
    assert sentences(text) == [
        "U.S. officials met Mr. Jaua on Jan. 5 in Antigua.",
        "John T. McNamara spoke!",
        "Did it work?",
        "“Yes,” he said…",
        "2024 was calm. it continued in lower case.",
    ]


def test_paragraph_breaks_always_split() -> None:
    text = "Headline without a stop\n\nCARACAS, Venezuela — Talks began\n  \n\nlower start."
    assert sentences(text) == [
        "Headline without a stop",
        "CARACAS, Venezuela — Talks began",
        "lower start.",
    ]


def test_closing_quote_stays_with_its_sentence() -> None:
    text = 'He said "we agreed." Then he left.'
    assert sentences(text) == ['He said "we agreed."', "Then he left."]


def test_windows_are_sentence_aligned_and_overlap_by_whole_sentences() -> None:
    body = " ".join(f"Sentence number {i} talks about topic {i} at some length." for i in range(40))
    article = make_article("a", body)
    chunks = chunk_article(article, max_tokens=60, overlap=20)
    starts = {s for s, _ in split_sentences(body)}
    ends = {e for _, e in split_sentences(body)}
    assert len(chunks) > 3
    assert_invariants(article, chunks, 60)
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.start in starts and nxt.end in ends
        assert prev.start < nxt.start and prev.end < nxt.end
        shared = body[nxt.start : prev.end] if nxt.start < prev.end else ""
        assert shared, "consecutive chunks share trailing sentences"
        assert count_tokens(shared) <= 20 + 2


def test_no_overlap_when_zero() -> None:
    body = " ".join(f"Point {i} is made here." for i in range(60))
    chunks = chunk_article(make_article("a", body), max_tokens=30, overlap=0)
    assert all(a.end < b.start for a, b in itertools.pairwise(chunks))


def test_long_sentence_is_cut_at_token_boundaries() -> None:
    body = "Intro. " + "abcdefgh" * 500 + "😀" * 50 + "xyz"
    article = make_article("a", body)
    chunks = chunk_article(article, max_tokens=32, overlap=8)
    assert len(chunks) > 10
    assert_invariants(article, chunks, 32)
    pieces = split_long(body, 7, len(body), 32)
    assert [p for p, _ in pieces] == sorted(p for p, _ in pieces)
    assert all(count_tokens(body[s:e]) <= 32 for s, e in pieces)


def test_comments_chunk_separately_with_offsets_into_comments_text() -> None:
    long_comment = " ".join(f"I have opinion {i} about this matter." for i in range(80))
    article = make_article(
        "a",
        "The body says one thing.",
        comments=[("ann", "I disagree."), ("bob", long_comment), ("cy", "Same.")],
    )
    chunks = chunk_article(article, max_tokens=50, overlap=10)
    comments = [c for c in chunks if c.kind == "comment"]
    assert comments[0].text == "I disagree."
    assert comments[-1].text == "Same."
    assert len(comments) > 3
    assert all("\n\n" not in c.text for c in comments), "a chunk never spans two comments"
    assert_invariants(article, chunks, 50)
    assert comments[0].embed_text.startswith("A title (2024-07-29), reader comment\n")


def test_embed_text_has_title_and_date_header() -> None:
    dated = chunk_article(make_article("a", "Body text.", title="Talks", published="2024-07"))
    undated = chunk_article(make_article("a", "Body text.", title="Talks", published=None))
    assert dated[0].embed_text == "Talks (2024-07)\nBody text."
    assert undated[0].embed_text == "Talks\nBody text."
    assert dated[0].text == "Body text."


def test_ids_are_stable_and_local_to_edits() -> None:
    body = " ".join(f"Fact {i} is stated plainly here." for i in range(100))
    before = chunk_article(make_article("a", body), max_tokens=40, overlap=0)
    again = chunk_article(make_article("a", body), max_tokens=40, overlap=0)
    edited = chunk_article(make_article("a", body + " One more fact."), max_tokens=40, overlap=0)
    assert [c.id for c in before] == [c.id for c in again]
    assert [c.id for c in edited[:-1]] == [c.id for c in before[:-1]]
    assert edited[-1].id != before[-1].id
    other = chunk_article(make_article("b", body), max_tokens=40, overlap=0)
    assert not {c.id for c in other} & {c.id for c in before}


def test_empty_and_blank_articles_have_no_chunks() -> None:
    assert chunk_article(make_article("a", "")) == []
    assert chunk_article(make_article("a", " \n\t \n", comments=[("x", "  ")])) == []


def test_seed_articles_chunk_within_limits(seeds_copy: Path) -> None:
    corpus = load_corpus(seeds_copy, IndexSettings())
    assert corpus.articles
    for article in corpus.articles:
        chunks = chunk_article(article, max_tokens=200, overlap=40)
        assert chunks
        assert_invariants(article, chunks, 200)


# -- properties over arbitrary text -------------------------------------------------------

WORDS = st.sampled_from(
    [
        "Mr.",
        "U.S.",
        "Jan.",
        "T.",
        "Kerry",
        "said",
        "…",
        "!",
        "?",
        ".",
        "“Yes.”",
        "2024.",
        "שלום",
        "مرحبا",
        "😀👍🏽",
        "\u200f",
        "\x00",
        "\x1b[0m",
        "<|endoftext|>",
        "\n",
        "\n\n",
        "\t",
        "x" * 300,
        "🙂" * 40,
    ]
)
TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(WORDS, st.text(min_size=1, max_size=12)), max_size=120).map(" ".join),
    st.lists(WORDS, max_size=200).map("".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=TEXT,
    comments=st.lists(TEXT, max_size=3),
    max_tokens=st.integers(min_value=4, max_value=64),
    overlap=st.integers(min_value=0, max_value=32),
)
@example(body="", comments=[], max_tokens=16, overlap=0)
@example(body="a" * 5000, comments=["😀" * 300], max_tokens=4, overlap=3)
def test_chunk_properties(body: str, comments: list[str], max_tokens: int, overlap: int) -> None:
    article = make_article("doc/1", body, comments=[(f"u{i}", t) for i, t in enumerate(comments)])
    chunks = chunk_article(article, max_tokens=max_tokens, overlap=overlap)
    assert_invariants(article, chunks, max_tokens)
    again = chunk_article(article, max_tokens=max_tokens, overlap=overlap)
    assert [c.id for c in again] == [c.id for c in chunks]
    for c in chunks:
        assert c.embed_text.endswith(c.text)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_sentence_spans_partition_the_text(text: str) -> None:
    spans = split_sentences(text)
    flat = [i for s, e in spans for i in (s, e)]
    assert flat == sorted(flat)
    assert all(s < e for s, e in spans)
    inside = {i for s, e in spans for i in range(s, e)}
    assert all(ch.isspace() or i in inside for i, ch in enumerate(text))
