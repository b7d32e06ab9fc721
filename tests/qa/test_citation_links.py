"""Citations carry the article's link, source and date rule, in the API and in --json."""

from __future__ import annotations

import json
from pathlib import Path

from index.formats.write import ArticleRecord, html_page, write_jsonl
from qa.assistant import Assistant
from qa.settings import Settings

OIL = ArticleRecord(
    "oil",
    "Oil deal signed in Caracas",
    "Venezuela and a consortium of European companies signed a deal on Wednesday to develop "
    "two offshore gas fields, the oil ministry said.",
    published="2024-07-03",
    url="https://planet.example/world/oil-deal",
    source="The Daily Planet",
)
VOTE = ArticleRecord(
    "v1",
    "Guatemala hosts OAS talks",
    "Foreign ministers gathered in Antigua Guatemala for the annual assembly of the "
    "Organization of American States, where a new human rights resolution was adopted.",
    published="2013-06-05",
    url="https://wire.example/oas",
    source="Wire",
)


def test_citations_have_url_source_and_date_source(tmp_path: Path, real_embedder: object) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "oil.html").write_text(html_page(OIL), encoding="utf-8")
    write_jsonl(corpus / "feed.jsonl", [VOTE])
    (corpus / "plain.txt").write_text("Plain note\n\nThe embassy stayed closed all week.\n")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    bot = Assistant(settings, embedder=real_embedder)  # type: ignore[arg-type]

    oil = bot.ask("What did Venezuela sign with European companies?")
    (c,) = [c for c in oil.citations if c.article_id == "oil"]
    assert (c.url, c.source, c.date_source, c.published) == (
        "https://planet.example/world/oil-deal",
        "The Daily Planet",
        "html_meta",
        "2024-07-03",
    )
    vote = bot.ask("Where did the Organization of American States hold its assembly?")
    data = json.loads(json.dumps(vote.to_json()))
    (row,) = [r for r in data["citations"] if r["article_id"] == "feed#v1"]
    assert (row["url"], row["source"], row["date_source"]) == (
        "https://wire.example/oas",
        "Wire",
        "metadata",
    )
    assert row["published"] == "2013-06-05" and row["title"] == VOTE.title
    plain = bot.ask("Did the embassy stay closed?")
    (c,) = [c for c in plain.citations if c.article_id == "plain"]
    assert (c.url, c.source, c.date_source) == (None, None, "unknown")
    assert json.loads(json.dumps(plain.to_json()))["citations"][0]["url"] is None
