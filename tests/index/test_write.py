"""Writing articles in each format and reading them back gives the same articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.config import IndexSettings
from index.formats.fields import FieldNames
from index.formats.write import WRITE_FORMATS, ArticleRecord, WriteFormat, write_corpus
from index.ingest import load_corpus

RECORDS = [
    ArticleRecord(
        "oil",
        'Oil deal: "a thaw", say analysts',
        "Venezuela signed a deal on Wednesday, the ministry said.\n\nAnalysts in Bogotá, "
        "Caracas and Madrid called it a thaw; prices barely moved.",
        published="2024-07-03",
        url="https://news.example/world/oil?id=7&page=2",
        source="Agence France-Presse",
        author="María López",
    ),
    ArticleRecord(
        "talks",
        "Talks resume in Doha",
        "Diplomats met in Doha for a second round of talks about the embassies.",
        published="2023-11",
    ),
]


@pytest.mark.parametrize("fmt", WRITE_FORMATS)
def test_round_trip(tmp_path: Path, fmt: WriteFormat) -> None:
    write_corpus(tmp_path, RECORDS, fmt)
    corpus = load_corpus(tmp_path, IndexSettings())
    assert corpus.warnings == ()
    got = {a.title: a for a in corpus.articles}
    for rec in RECORDS:
        a = got[rec.title]
        assert a.body == rec.text
        expected_id = f"articles#{rec.id}" if fmt in ("jsonl", "csv") else rec.id
        assert a.id == expected_id
        if fmt == "text":  # only the words: no date, link or source survives
            assert (a.published, a.url, a.source) == (None, None, None)
            continue
        assert (a.published, a.url) == (rec.published, rec.url)
        assert a.source == (rec.source or ("news.example" if fmt == "html" and rec.url else None))
        assert a.author == rec.author


def test_export_field_names_follow_the_names_given(tmp_path: Path) -> None:
    names = FieldNames(published=("publish_date",), text=("story",))
    (path,) = write_corpus(tmp_path, RECORDS, "jsonl", names)
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"id", "title", "story", "publish_date", "url", "source", "author"}
    assert load_corpus(tmp_path, IndexSettings(text_fields="story")).by_format() == {
        "jsonl": (2, 2)
    }  # publish_date is among the default date keys


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip())


@settings(max_examples=25, deadline=None)
@given(title=TEXT, words=st.lists(TEXT, min_size=6, max_size=12))
def test_any_text_survives_every_export(title: str, words: list[str]) -> None:
    import tempfile

    text = " ".join(" ".join(w.split()) for w in words) + "."
    rec = ArticleRecord("a", " ".join(title.split()), text, published="2024-07-03")
    for fmt in ("jsonl", "csv", "markdown"):
        with tempfile.TemporaryDirectory() as tmp:
            write_corpus(Path(tmp), [rec], fmt)  # type: ignore[arg-type]
            corpus = load_corpus(Path(tmp), IndexSettings())
            (a,) = corpus.articles
            assert a.published == "2024-07-03", fmt
            assert " ".join(a.title.split()) == rec.title, fmt
