"""The default pipeline's second look (qa/ranking.py ``reorder``): the reranker picks which of
the first stage's quotable sentences leads a which/what (where, how many) answer; what may be
quoted, the best score and the decision to answer stay the first stage's."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from fakes import make_article

from index.build import sync_articles
from index.store import open_store
from qa.assistant import Assistant, with_settings
from qa.evidence import Evidence
from qa.ranking import reorder
from qa.settings import Settings
from qa.snapshot import Sentence


class WordReranker:
    """A reranker that knows one answer: a passage holding ``word`` scores 3, any other -3."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls: list[tuple[str, list[str]]] = []

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        self.calls.append((query, list(passages)))
        return [3.0 if self.word in p else -3.0 for p in passages]


def _ev(text: str, score: float) -> Evidence:
    return Evidence(Sentence("a", "body", 0, len(text), text), score, 0.5, 0.2, 0.5, 0.0)


EVIDENCE = [
    _ev("The final was played in heavy rain.", 0.62),
    _ev("A record crowd watched the final.", 0.55),
    _ev("The Gulls beat the Herons to win the final.", 0.50),
    _ev("Fans of the Herons queued for hours.", 0.40),
]


def test_the_rankers_choice_leads_with_the_best_score() -> None:
    out = reorder("Which club won the final?", EVIDENCE, WordReranker("Gulls"), 0.46, 8)
    assert out[0].sentence.text == "The Gulls beat the Herons to win the final."
    assert out[0].ce == 3.0
    # the scores are the first stage's, in the new order: the best one and the threshold hold
    assert [e.score for e in out] == [0.62, 0.55, 0.50, 0.40]
    assert [e.sentence.text for e in out[1:3]] == [EVIDENCE[0].sentence.text,
                                                   EVIDENCE[1].sentence.text]  # fmt: skip
    assert out[3] == EVIDENCE[3]


def test_a_sentence_below_the_threshold_is_never_promoted() -> None:
    ranker = WordReranker("queued")
    out = reorder("Which club won the final?", EVIDENCE, ranker, 0.46, 8)
    assert [e.sentence.text for e in out] == [e.sentence.text for e in EVIDENCE]
    assert ranker.calls[0][1] == [e.sentence.text for e in EVIDENCE[:3]]  # only the quotable


def test_only_the_best_k_are_read_and_one_quotable_sentence_is_left_alone() -> None:
    ranker = WordReranker("Gulls")
    out = reorder("Which club won the final?", EVIDENCE, ranker, 0.46, 2)
    assert out[0].sentence.text == EVIDENCE[0].sentence.text  # "Gulls" is third: not read
    assert reorder("Which club won?", EVIDENCE, ranker, 0.6, 8) == EVIDENCE
    assert len(ranker.calls) == 1  # a single quotable sentence needs no ranker


CUP = [
    make_article(
        "cup-final",
        "The Harbor Cup final in Lowport drew a record crowd of 40,000 fans on Sunday. "
        "The Gulls beat the Herons 3-1 to lift the trophy, with two goals from their captain. "
        "The Harbor Cup final was played in heavy rain.",
        title="Harbor Cup final",
        published="2024-05-12",
    ),
    make_article(
        "cup-tickets",
        "Fans of the Harbor Cup finalists queued for hours outside Lowport stadium. "
        "Tickets for the Harbor Cup final sold out in minutes.",
        title="Harbor Cup tickets",
        published="2024-05-10",
    ),
]
QUESTION = "Which club won the Harbor Cup final in Lowport?"


@pytest.fixture(scope="module")
def cup_bot(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Assistant:
    folder: Path = tmp_path_factory.mktemp("cup-index")
    settings = Settings(corpus_dir=folder / "none", data_dir=folder)
    store = open_store(settings, real_embedder, create=True)  # type: ignore[arg-type]
    sync_articles(CUP, settings, real_embedder, store, progress=False)  # type: ignore[arg-type]
    return Assistant(settings, embedder=real_embedder, store=store, build_if_missing=False,  # type: ignore[arg-type]
                     reranker=WordReranker("Gulls"))  # fmt: skip


def test_the_ranker_picks_the_lead_of_a_which_question(cup_bot: Assistant) -> None:
    off = with_settings(cup_bot, rerank_top=0).ask(QUESTION)
    on = cup_bot.ask(QUESTION)
    assert not off.abstained and not on.abstained
    assert "Gulls" not in off.citations[0].quote  # the first stage leads with the rain
    assert on.citations[0].quote.startswith("The Gulls beat the Herons")
    assert on.citations[0].score == pytest.approx(off.citations[0].score)  # the best score holds
    assert "rerank" in on.timings_ms and "rerank" not in off.timings_ms


def test_other_questions_and_parts_of_questions_are_not_reordered(cup_bot: Assistant) -> None:
    ranker = cup_bot.reranker
    assert isinstance(ranker, WordReranker)
    ranker.calls.clear()
    cup_bot.ask("Why was the Harbor Cup final played in the rain?")  # no which/what: no ranker
    cup_bot.ask("Who scored for the Gulls in the Harbor Cup final?")  # who: the cues decide
    assert ranker.calls == []
    cup_bot.ask(QUESTION)
    assert [q for q, _ in ranker.calls] == [QUESTION]  # the question itself, once


def test_where_and_how_many_questions_are_reordered_too(cup_bot: Assistant) -> None:
    ranker = cup_bot.reranker
    assert isinstance(ranker, WordReranker)
    for asked in ("Where was the Harbor Cup final played?",
                  "How many fans watched the Harbor Cup final?"):  # fmt: skip
        ranker.calls.clear()
        cup_bot.ask(asked)
        assert [q for q, _ in ranker.calls] == [asked]


def test_the_ablation_row_switches_it_off(cup_bot: Assistant) -> None:
    from eval.ablations import ablated

    with ablated("rerank"):
        lead = cup_bot.ask(QUESTION).citations[0].quote
    assert "Gulls" not in lead
    assert cup_bot.ask(QUESTION).citations[0].quote.startswith("The Gulls")


def test_read_chunks_bounds_the_hits_whose_sentences_are_scored(cup_bot: Assistant) -> None:
    from qa.retrieve import Filters

    for n in (1, 2):
        bot = with_settings(cup_bot, read_chunks=n)
        found = bot._find(bot.snapshot(), "What did fans of the Harbor Cup final do?", Filters(),
                          False)  # fmt: skip
        read = {h.article_id for h in found.hits[:n]}
        scored = {e.sentence.article_id for e in found.evidence}
        assert scored == read, n  # every sentence of the first n hits, and nothing else
