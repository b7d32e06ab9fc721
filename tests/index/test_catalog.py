"""The curated catalog: the seeds' entries, validation, and how it overrides the text."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from index.catalog import load_catalog
from index.clean import normalize_text
from index.config import IndexSettings
from index.errors import CorpusError
from index.ingest import load_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ARTICLE = "Oil deal signed\n\nCaracas, 3 July 2024\n\nThe deal was signed on Wednesday.\n"


def _id(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).stem


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", normalize_text(text))


def test_seed_catalog_dates_match_the_reading_of_the_articles() -> None:
    catalog = load_catalog(SEEDS / "catalog.toml")
    got = {
        article_id[:3]: (e.published, e.date_source, e.source)
        for article_id, e in catalog.entries.items()
    }
    assert got == {
        "000": ("2013-06", "inferred", None),
        "001": ("2024-07", "inferred", None),
        "002": ("2026-01-10", "dateline", "IANS"),
        "003": ("2026-03", "inferred", None),
        "004": ("2019-08-21", "dateline", None),
    }


def test_seed_catalog_covers_every_seed_and_quotes_them_verbatim() -> None:
    catalog = load_catalog(SEEDS / "catalog.toml")
    stems = {p.stem for p in SEEDS.glob("*.txt")}
    assert set(catalog.entries) == stems
    for article_id, entry in catalog.entries.items():
        raw = _collapse((SEEDS / f"{article_id}.txt").read_text(encoding="utf-8"))
        assert entry.title and _collapse(entry.title) in raw
        assert entry.date_evidence
        for passage in entry.date_evidence:
            assert _collapse(passage) in raw, (article_id, passage)


def test_seed_evidence_names_the_key_facts() -> None:
    catalog = load_catalog(SEEDS / "catalog.toml")
    evidence = {k[:3]: e.evidence_text or "" for k, e in catalog.entries.items()}
    assert "General Assembly of the Organization of American States" in evidence["000"]
    assert "Chávez died in March. In April" in evidence["000"]
    assert "elections this month" in evidence["001"] and "July 28 vote" in evidence["001"]
    assert evidence["002"].startswith("Washington, Jan 10")
    assert "On January 9" in evidence["002"]
    assert (
        "February 28" in evidence["003"] and "stand trial in the US this month" in evidence["003"]
    )
    assert evidence["004"] == "LATIN AMERICA | 21-08-2019 12:56"


def _folder(tmp_path: Path, catalog: str, **files: str) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "catalog.toml").write_text(catalog, encoding="utf-8")
    for name, text in (files or {"a": ARTICLE}).items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def test_catalog_overrides_text_and_articles_without_entry_use_the_text(tmp_path: Path) -> None:
    catalog = '[a]\ntitle = "Curated"\npublished = "2024-07"\ndate_source = "inferred"\n'
    catalog += 'date_evidence = "The deal was signed on Wednesday."\nsource = "AFP"\n'
    folder = _folder(tmp_path, catalog, a=ARTICLE, b=ARTICLE.replace("Oil", "Gas") + "More.\n")
    corpus = load_corpus(folder, IndexSettings())
    a, b = corpus.articles
    assert (a.title, a.published, a.date_source, a.source) == (
        "Curated",
        "2024-07",
        "inferred",
        "AFP",
    )
    assert a.date_evidence == "The deal was signed on Wednesday."
    assert (b.title, b.published, b.date_source, b.source) == (
        "Gas deal signed",
        "2024-07-03",
        "dateline",
        None,
    )
    assert corpus.warnings == ()


def test_entry_with_title_only_keeps_the_extracted_date(tmp_path: Path) -> None:
    folder = _folder(tmp_path, '[a]\ntitle = "Curated"\n')
    (article,) = load_corpus(folder, IndexSettings()).articles
    assert (article.title, article.published, article.date_source) == (
        "Curated",
        "2024-07-03",
        "dateline",
    )


def test_unquoted_toml_date_and_default_source(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "[a]\npublished = 2024-07-05\n")
    (article,) = load_corpus(folder, IndexSettings()).articles
    assert (article.published, article.date_source, article.date_evidence) == (
        "2024-07-05",
        "catalog",
        None,
    )


def test_catalog_problems_that_are_warnings(tmp_path: Path) -> None:
    catalog = (
        '[a]\npublished = "2024-07"\ndate_evidence = ["Not in the text."]\n[ghost]\ntitle = "G"\n'
    )
    corpus = load_corpus(_folder(tmp_path, catalog), IndexSettings())
    assert len(corpus.articles) == 1
    assert len(corpus.warnings) == 2
    assert all("catalog.toml" in w for w in corpus.warnings)
    assert any("'ghost' matches no article" in w for w in corpus.warnings)
    assert any("'a' is not verbatim" in w for w in corpus.warnings)


@pytest.mark.parametrize(
    "catalog,problem",
    [
        ("[a\ntitle = 1", "not valid TOML"),
        ('[a]\ntitel = "x"\n', "unknown key(s) titel"),
        ('[a]\npublished = "2024-13"\n', "not an ISO date"),
        ('[a]\npublished = "21-08-2019"\n', "not an ISO date"),
        ('[a]\npublished = "2024-07"\ndate_source = "guess"\n', "date_source = 'guess'"),
        ('[a]\ndate_source = "inferred"\n', "no published date"),
        ("[a]\ntitle = 3\n", "title must be a non-empty string"),
        ('a = "x"\n', "must be a table"),
        ("[a]\ndate_evidence = 3\n", "date_evidence must be"),
    ],
)
def test_invalid_catalog_is_an_error_naming_file_and_problem(
    tmp_path: Path, catalog: str, problem: str
) -> None:
    folder = _folder(tmp_path, catalog)
    with pytest.raises(CorpusError) as err:
        load_corpus(folder, IndexSettings())
    message = str(err.value)
    assert str(folder / "catalog.toml") in message
    assert problem in message
    assert "\n" not in message


def test_seeds_copied_with_catalog_load_the_curated_values(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    corpus = load_corpus(folder, IndexSettings())
    by_prefix = {a.id[:3]: a for a in corpus.articles}
    assert by_prefix["002"].published == "2026-01-10"
    assert by_prefix["002"].source == "IANS"
    assert by_prefix["000"].date_evidence is not None
    assert " … " in by_prefix["000"].date_evidence
    assert corpus.warnings == ()
    assert _id("004") in {a.id for a in corpus.articles}
