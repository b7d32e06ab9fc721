"""The learned answering path with the shipped models, on a small corpus written here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qa.assistant import Assistant
from qa.settings import Settings

pytestmark = pytest.mark.slow

ARTICLES = {
    "deal.txt": (
        "Microsoft closes Activision deal\n\n"
        "REDMOND — Microsoft completed its purchase of the video game maker Activision Blizzard "
        "for $69 billion on Friday, after regulators in Britain dropped their objections. "
        "The deal is the largest in the history of the games industry.\n\n"
        "Activision makes the Call of Duty series."
    ),
    "weather.txt": (
        "Storm hits the coast\n\n"
        "A storm brought heavy rain to the northern coast on Saturday. Roads were closed and "
        "schools stayed shut. Forecasters expect calmer weather next week."
    ),
    "games.txt": (
        "Game sales slow down\n\n"
        "Sales of video games fell in the spring, industry analysts said on Monday. Players "
        "spent less on new consoles, and several studios cut jobs."
    ),
}
QUESTION = "Which company bought Activision Blizzard?"


@pytest.fixture
def bot(tmp_path: Path, real_embedder: Any) -> Assistant:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", evidence_model="learned")
    return Assistant(settings, embedder=real_embedder)


def test_the_short_answer_is_a_verbatim_span_of_a_cited_sentence(bot: Assistant) -> None:
    answer = bot.ask(QUESTION)
    assert not answer.abstained and answer.confidence is not None
    assert answer.short is not None and answer.short.text == "Microsoft"
    cited = {c.n: c for c in answer.citations}[answer.short.n]
    body = bot.snapshot().articles[cited.article_id].body
    assert body[answer.short.start : answer.short.end] == answer.short.text
    assert cited.start <= answer.short.start < answer.short.end <= cited.end
    assert cited.quote == body[cited.start : cited.end]
    assert answer.text.startswith(f"Microsoft [{answer.short.n}]")
    assert answer.to_json()["short"]["text"] == "Microsoft"


def test_removing_the_answering_article_flips_the_answer_into_an_abstention(
    bot: Assistant,
) -> None:
    assert not bot.ask(QUESTION).abstained
    (bot.settings.corpus_dir / "deal.txt").unlink()
    bot.index()
    after = bot.ask(QUESTION)
    assert after.abstained and after.short is None and not after.citations
    assert "don't" in after.text or "none of the passages" in after.text


def test_an_unanswerable_question_is_refused_with_what_is_missing(bot: Assistant) -> None:
    answer = bot.ask("Who won the chess championship in Oslo?")
    assert answer.abstained and answer.short is None
