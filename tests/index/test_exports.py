"""JSONL and CSV exports: many articles a file, field names, stable ids, bad rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.config import IndexSettings
from index.errors import CorpusError
from index.ingest import load_corpus

ROWS = [
    {
        "id": "r1",
        "title": "Oil deal signed",
        "text": "Venezuela signed a deal on Wednesday to develop two gas fields.",
        "published": "2024-07-03",
        "url": "https://news.example/oil",
        "source": "AFP",
    },
    {
        "title": "Talks resume in Doha",
        "body": "Diplomats met in Doha for a second round of talks.",
        "publish_date": "November 15, 2023",
        "url": "https://news.example/talks",
    },
    {"title": "Counting begins", "content": "Officials began counting ballots on Sunday."},
]


def _jsonl(path: Path, rows: list[object], extra: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + extra, encoding="utf-8")
    return path


def _load(folder: Path, **settings: object):  # type: ignore[no-untyped-def]
    return load_corpus(folder, IndexSettings(**settings))  # type: ignore[arg-type]


def test_jsonl_rows_become_articles_with_metadata(tmp_path: Path) -> None:
    _jsonl(tmp_path / "feed.jsonl", ROWS)
    corpus = _load(tmp_path)
    by_id = {a.id: a for a in corpus.articles}
    assert len(by_id) == 3 and corpus.warnings == ()
    one = by_id["feed#r1"]
    assert (one.title, one.published, one.date_source, one.url, one.source) == (
        "Oil deal signed",
        "2024-07-03",
        "metadata",
        "https://news.example/oil",
        "AFP",
    )
    assert one.date_evidence == "published: 2024-07-03"
    two = next(a for a in corpus.articles if a.title == "Talks resume in Doha")
    assert two.body == ROWS[1]["body"] and two.published == "2023-11-15"
    three = next(a for a in corpus.articles if a.title == "Counting begins")
    assert (three.published, three.date_source, three.url) == (None, "unknown", None)
    assert corpus.by_format() == {"jsonl": (3, 2)}
    assert {a.path for a in corpus.articles} == {str(tmp_path / "feed.jsonl")}


def test_ids_are_stable_and_unique_across_files(tmp_path: Path) -> None:
    _jsonl(tmp_path / "june.jsonl", ROWS)
    (tmp_path / "more").mkdir()
    _jsonl(tmp_path / "more" / "july.jsonl", [{**ROWS[0], "text": "Another story entirely."}])
    first = sorted(a.id for a in _load(tmp_path).articles)
    url_id = next(i for i in first if i.startswith("june#u"))
    content_id = next(i for i in first if i.startswith("june#c"))
    assert "june#r1" in first and "more/july#r1" in first  # same row id, two files
    assert len(url_id) == len("june#u") + 16 and len(content_id) == len("june#c") + 16
    # re-exported in another order, with other titles: the ids do not move
    shuffled = [ROWS[2], {**ROWS[1], "title": "Talks resume (updated)"}, ROWS[0]]
    _jsonl(tmp_path / "june.jsonl", shuffled)
    again = sorted(a.id for a in _load(tmp_path).articles)
    assert again == first


def test_bad_rows_are_skipped_with_one_line_each(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl",
        [ROWS[0], ["a", "list"], {"title": "no text"}, {**ROWS[0], "text": "Same id again."}],
        extra='{"id": "r9", "text": "Broken line\n\n{"id": "r2", "text": "Fine after a gap."}\n',
    )
    corpus = _load(tmp_path)
    assert sorted(a.id for a in corpus.articles) == ["feed#r1", "feed#r2"]
    assert list(corpus.warnings) == [
        f"{path}:2: a JSON list, not an object; row skipped.",
        f"{path}:3: no article text (looked for text, body, content); row skipped.",
        f"{path}:4: id 'r1' was already used at {path}:1; row skipped. Give each row its own id.",
        f"{path}:5: not valid JSON (Unterminated string starting at); row skipped.",
    ]
    assert corpus.keep == ("feed#",)


def test_bad_date_and_oversize_text_name_the_line(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl",
        [{**ROWS[0], "published": "next week"}, {"id": "big", "text": "word " * 300}],
    )
    corpus = _load(tmp_path, max_file_bytes=1000)
    (a,) = corpus.articles
    assert a.published is None and a.id == "feed#r1"
    assert corpus.warnings[0].startswith(f"{path}:1: the date is not used: 'next week'")
    assert corpus.warnings[1] == (
        f"{path}:2: the article text is 1,500 bytes, over the 1,000-byte limit "
        "(QA_MAX_FILE_BYTES / max_file_bytes); row skipped."
    )


def test_export_file_limit_is_its_own(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "feed.jsonl", ROWS * 1)
    assert path.stat().st_size > 300
    assert len(_load(tmp_path, max_file_bytes=300).articles) == 3  # each article is small
    with pytest.raises(CorpusError, match="QA_MAX_EXPORT_BYTES"):
        _load(tmp_path, max_export_bytes=300)


def test_csv_with_custom_field_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "export.csv").write_text(
        "guid,headline,story,pubDate,link,site\n"
        'a1,Oil deal signed,"Venezuela signed a deal.\n\nAnalysts called it a thaw.",'
        "2024/07/03,https://news.example/oil,AFP\n"
        "a2,Talks resume,Diplomats met in Doha.,,https://news.example/talks,\n",
        encoding="utf-8",
    )
    for name, value in {
        "QA_ID_FIELDS": "guid",
        "QA_TITLE_FIELDS": "headline",
        "QA_TEXT_FIELDS": "story",
        "QA_DATE_FIELDS": "pubDate",
        "QA_URL_FIELDS": "link",
        "QA_SOURCE_FIELDS": "site",
    }.items():
        monkeypatch.setenv(name, value)
    corpus = _load(tmp_path)
    one, two = corpus.articles
    assert (one.id, one.title, one.published, one.url, one.source) == (
        "export#a1",
        "Oil deal signed",
        "2024-07-03",
        "https://news.example/oil",
        "AFP",
    )
    assert one.body == "Venezuela signed a deal.\n\nAnalysts called it a thaw."
    assert (two.id, two.published, two.source) == ("export#a2", None, None)
    assert corpus.by_format() == {"csv": (2, 1)}


def test_csv_without_a_text_column_is_one_warning_and_the_rest_loads(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("id,title,summary\n1,T,Short.\n", encoding="utf-8")
    (tmp_path / "note.txt").write_text("Note\n\nThe embassy stayed closed.\n", encoding="utf-8")
    corpus = _load(tmp_path)
    assert [a.id for a in corpus.articles] == ["note"]
    assert corpus.warnings == (
        f"{tmp_path / 'bad.csv'}: no text column (looked for text, body, content; the header "
        "has id, title, summary); nothing read. Rename the column or set QA_TEXT_FIELDS.",
    )
    assert corpus.keep == ("bad#",)


def test_csv_rows_spanning_lines_are_named_by_their_first_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        'id,text\n1,"one\ntwo\nthree."\n2,\n3,Fine.\n'.replace("\n", "\r\n"), encoding="cp1252"
    )
    corpus = _load(tmp_path)
    assert [a.id for a in corpus.articles] == ["x#1", "x#3"]
    assert corpus.warnings == (
        f"{path}:5: no article text (looked for text, body, content); row skipped.",
    )


def test_duplicate_rows_across_files_are_indexed_once(tmp_path: Path) -> None:
    _jsonl(tmp_path / "a.jsonl", [ROWS[0]])
    (tmp_path / "b.txt").write_text(f"Oil deal signed\n\n{ROWS[0]['text']}\n", encoding="utf-8")
    corpus = _load(tmp_path)
    assert [a.id for a in corpus.articles] == ["a#r1"]
    assert corpus.duplicates == (("a#r1", "b"),)


def test_catalog_entries_apply_to_export_rows(tmp_path: Path) -> None:
    _jsonl(tmp_path / "feed.jsonl", [ROWS[0]])
    (tmp_path / "catalog.toml").write_text(
        '["feed#r1"]\npublished = "2024-07-02"\ndate_source = "inferred"\n', encoding="utf-8"
    )
    (a,) = _load(tmp_path).articles
    assert (a.published, a.date_source) == ("2024-07-02", "inferred")  # the catalog wins
