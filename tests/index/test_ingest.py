"""Loading a folder of news files: ids, encodings, skipped files, duplicates, folder errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from index.config import IndexSettings
from index.errors import CorpusError
from index.ingest import load_corpus, parse_article, read_text_file

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TEXT = "Oil deal signed\n\nCaracas, 3 July 2024\n\nThe deal was signed on Wednesday.\n"


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _load(folder: Path, **settings: int) -> tuple:
    corpus = load_corpus(folder, IndexSettings(**settings))
    return corpus.articles, corpus.warnings, corpus.duplicates


def test_seeds_load_sorted_with_catalog_values() -> None:
    corpus = load_corpus(SEEDS, IndexSettings())
    stems = sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert [a.id for a in corpus.articles] == stems
    assert corpus.warnings == () and corpus.duplicates == ()
    assert [a.published for a in corpus.articles] == [
        "2013-06",
        "2024-07",
        "2026-01-10",
        "2026-03",
        "2019-08-21",
    ]
    for article in corpus.articles:
        assert article.path == str(SEEDS / f"{article.id}.txt")
        assert len(article.content_hash) == 16
        int(article.content_hash, 16)
        assert article.title and article.body
    assert len({a.content_hash for a in corpus.articles}) == 5


def test_seeds_without_catalog_use_extracted_titles_and_dates(tmp_path: Path) -> None:
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, tmp_path / path.name)
    articles, warnings, _ = _load(tmp_path)
    assert warnings == ()
    got = {a.id[:3]: (a.published, a.date_source) for a in articles}
    assert got == {
        "000": (None, "unknown"),
        "001": (None, "unknown"),
        "002": (None, "unknown"),
        "003": (None, "unknown"),
        "004": ("2019-08-21", "dateline"),
    }
    assert articles[2].source == "IANS"
    assert articles[0].title == "US and Venezuelan diplomats agree to work toward talks"


def test_encodings_bom_crlf_cr_latin1_cp1252_utf16(tmp_path: Path) -> None:
    _write(tmp_path, "bom.txt", "\ufeffBOM headline\r\n\r\nCafé au lait in Caracas.\r\n".encode())
    _write(tmp_path, "cr.txt", b"CR headline\r\rOld Mac line endings here.\r")
    _write(tmp_path, "latin1.txt", "Latin headline\n\nCafé in Bogotá, señor.\n".encode("latin-1"))
    _write(tmp_path, "cp1252.txt", "Curly headline\n\n“Quoted” words – dash.\n".encode("cp1252"))
    _write(tmp_path, "utf16.md", "UTF16 headline\n\nNicolás Maduro spoke.\n".encode("utf-16"))
    articles, warnings, _ = _load(tmp_path)
    assert warnings == ()
    by_id = {a.id: a for a in articles}
    assert (by_id["bom"].title, by_id["bom"].body) == ("BOM headline", "Café au lait in Caracas.")
    assert by_id["cr"].body == "Old Mac line endings here."
    assert by_id["latin1"].body == "Café in Bogotá, señor."
    assert by_id["cp1252"].body == "“Quoted” words – dash."
    assert by_id["utf16"].body == "Nicolás Maduro spoke."
    assert all("\r" not in a.body and "\ufeff" not in a.title for a in articles)


def test_bad_files_are_skipped_with_a_warning_naming_each(tmp_path: Path) -> None:
    _write(tmp_path, "good.txt", TEXT)
    bad = {
        "binary.txt": b"\x00\x01\x02binary\x00data" * 10,
        "image.md": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        "empty.txt": b"",
        "blank.txt": b"  \n\n\t \r\n",
        "big.txt": ("Big headline\n\n" + "word " * 400).encode(),
        "onlytitle.txt": b"Just a headline\n\nShare this article\n",
    }
    for name, content in bad.items():
        _write(tmp_path, name, content)
    articles, warnings, _ = _load(tmp_path, max_file_bytes=1000)
    assert [a.id for a in articles] == ["good"]
    assert len(warnings) == len(bad)
    for name in bad:
        (line,) = [w for w in warnings if str(tmp_path / name) in w]
        assert "\n" not in line
    (big,) = [w for w in warnings if "big.txt" in w]
    assert "2,014 bytes" in big and "1,000-byte limit" in big
    assert any("NUL" in w for w in warnings if "binary.txt" in w)


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "good.txt", TEXT)
    locked = _write(tmp_path, "locked.txt", TEXT.replace("Oil", "Gas"))
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    articles, warnings, _ = _load(tmp_path)
    assert [a.id for a in articles] == ["good"]
    (warning,) = warnings
    assert str(locked) in warning and "permission denied" in warning


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_with_real_permissions(tmp_path: Path) -> None:
    _write(tmp_path, "good.txt", TEXT)
    locked = _write(tmp_path, "locked.txt", TEXT.replace("Oil", "Gas"))
    locked.chmod(0)
    try:
        articles, warnings, _ = _load(tmp_path)
    finally:
        locked.chmod(0o644)
    assert [a.id for a in articles] == ["good"]
    assert "locked.txt" in warnings[0] and "permission denied" in warnings[0]


def test_read_text_file_errors_are_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.txt", b"\x00\x00")
    with pytest.raises(CorpusError) as err:
        read_text_file(path, 100)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(CorpusError, match="cannot be read"):
        read_text_file(tmp_path / "missing.txt", 100)
    assert read_text_file(_write(tmp_path, "y.txt", b"a\r\nb"), 100) == "a\nb"


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"does not exist.*qa index <folder>"):
        load_corpus(tmp_path / "nope", IndexSettings())


def test_file_instead_of_folder(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", TEXT)
    with pytest.raises(CorpusError, match="is not a folder"):
        load_corpus(path, IndexSettings())


def test_folder_without_articles(tmp_path: Path) -> None:
    _write(tmp_path, "notes.pdf", b"%PDF-1.4")
    _write(tmp_path, ".hidden/a.txt", TEXT)
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path, IndexSettings())
    assert str(err.value) == (
        f"No articles in {tmp_path} (looked for .txt .md .html .htm .jsonl .csv files). "
        "Add article files, or point to another folder: qa index <folder>"
    )


def test_folder_where_no_file_is_usable(tmp_path: Path) -> None:
    _write(tmp_path, "empty.txt", b"")
    with pytest.raises(CorpusError, match=r"None of the 1 article files.*empty"):
        load_corpus(tmp_path, IndexSettings())


def test_duplicates_are_indexed_once_and_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", TEXT)
    _write(tmp_path, "b.md", TEXT.replace("\n", "\r\n"))
    _write(tmp_path, "c.txt", TEXT.replace("Wednesday", "Thursday"))
    _write(tmp_path, "d/e.txt", TEXT.replace("Oil deal signed", "Same story, new headline"))
    articles, warnings, duplicates = _load(tmp_path)
    assert [a.id for a in articles] == ["a", "c"]
    assert duplicates == (("a", "b"), ("a", "d/e"))
    assert warnings == ()


def test_nested_folders_give_posix_ids(tmp_path: Path) -> None:
    _write(tmp_path, "top.txt", TEXT)
    _write(tmp_path, "world/americas/venezuela.md", TEXT.replace("Wednesday", "Monday"))
    _write(tmp_path, "world/b.TXT", TEXT.replace("Wednesday", "Friday"))
    _write(tmp_path, "world/.cache/skip.txt", TEXT.replace("Wednesday", "Sunday"))
    articles, warnings, duplicates = _load(tmp_path)
    assert [a.id for a in articles] == ["top", "world/americas/venezuela", "world/b"]
    assert articles[1].path == str(tmp_path / "world/americas/venezuela.md")
    assert warnings == () and duplicates == ()


def test_same_id_with_two_suffixes_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a.md", TEXT)
    _write(tmp_path, "a.txt", TEXT.replace("Oil", "Gas"))
    articles, warnings, _ = _load(tmp_path)
    assert [a.path for a in articles] == [str(tmp_path / "a.md")]
    (warning,) = warnings
    assert str(tmp_path / "a.txt") in warning and "rename" in warning


def test_content_hash_follows_what_changes_chunks_and_metadata() -> None:
    base = parse_article(TEXT, "a")
    assert parse_article(TEXT, "a").content_hash == base.content_hash
    assert parse_article(TEXT, "b", path="x").content_hash == base.content_hash
    for changed in (
        TEXT.replace("Wednesday", "Thursday"),
        TEXT.replace("Oil deal", "Gas deal"),
        TEXT.replace("3 July", "4 July"),
        TEXT + "\nComments\n\nAna\nGood.\n",
    ):
        assert parse_article(changed, "a").content_hash != base.content_hash


def test_parse_article_fields() -> None:
    article = parse_article(TEXT.replace("\n", "\r\n"), "world/a", path="c/world/a.txt")
    assert (article.id, article.title, article.path) == (
        "world/a",
        "Oil deal signed",
        "c/world/a.txt",
    )
    assert (article.published, article.date_source, article.date_evidence) == (
        "2024-07-03",
        "dateline",
        "Caracas, 3 July 2024",
    )
    assert article.body == "The deal was signed on Wednesday."
