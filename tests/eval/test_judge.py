"""The support judge: agreement with hand labels, and the checks it is built on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pytest

from eval.judge import JudgePair, SupportJudge, TextEmbedder, judge_agreement, load_judge_pairs

LEXICAL_FLOOR = 0.87
"""Measured 0.893 on eval/judge_pairs.jsonl (50 of 56); the floor sits just under it."""
EMBEDDING_FLOOR = 0.89
"""Measured 0.911 (51 of 56) with the packaged MiniLM; the floor sits just under it."""

FORO = (
    'A recent count by the NGO Foro Penal said there were 278 "political prisoners" in the '
    "country, which has the largest proven oil reserves in the world though production has "
    "plummeted after years of mismanagement and sanctions."
)
EMBASSY_2026_01 = (
    "The announcement came as US officials confirmed that diplomatic and security personnel "
    "had traveled to the Venezuelan capital to assess conditions for a possible reopening of "
    "the US Embassy."
)


@pytest.fixture(scope="module")
def pairs() -> list[JudgePair]:
    return load_judge_pairs()


def test_the_labelled_set_is_big_and_balanced(pairs: list[JudgePair]) -> None:
    labels = Counter(p.supported for p in pairs)
    assert len(pairs) >= 40
    assert min(labels[True], labels[False]) >= 15
    kinds = {p.kind for p in pairs if not p.supported}
    assert {"wrong number", "wrong person", "wrong date", "negation flip", "comment only"} <= kinds


def test_lexical_judge_agrees_with_the_labels(pairs: list[JudgePair]) -> None:
    assert judge_agreement(pairs, SupportJudge()) >= LEXICAL_FLOOR


@pytest.mark.slow
def test_embedding_judge_agrees_with_the_labels(
    pairs: list[JudgePair], real_embedder: TextEmbedder
) -> None:
    judge = SupportJudge(real_embedder)
    assert judge_agreement(pairs, judge) >= EMBEDDING_FLOOR
    score = judge.score("Foro Penal counted 278 political prisoners.", FORO)
    assert score.cosine is not None and 0.0 < score.cosine <= 1.0


def test_an_extracted_sentence_is_supported() -> None:
    score = SupportJudge().score(FORO, FORO)
    assert score.supported and score.coverage == 1.0 and score.reasons == ()


def test_a_wrong_number_is_rejected_and_named() -> None:
    score = SupportJudge().score("Foro Penal counted 287 political prisoners.", FORO)
    assert not score.supported
    assert score.missing_numbers == ("287",)


def test_number_words_match_digits() -> None:
    passage = 'claiming the action led to "more than one hundred deaths of civilians"'
    judge = SupportJudge()
    assert judge.supports("The action led to more than 100 deaths of civilians.", passage)
    assert not judge.supports("The action led to more than 200 deaths of civilians.", passage)


def test_a_wrong_person_is_rejected() -> None:
    passage = "Secretary of State John Kerry met the Venezuelan foreign minister, Elías Jaua."
    judge = SupportJudge()
    assert judge.supports("Kerry met Venezuela's foreign minister Elias Jaua.", passage)
    score = judge.score("Hillary Clinton met the Venezuelan foreign minister, Elías Jaua.", passage)
    assert not score.supported and score.missing_entities == ("hillary", "clinton")


def test_a_negation_flip_is_rejected() -> None:
    passage = "The embassy said no commercial flights are operating in or out of Venezuela."
    judge = SupportJudge()
    assert judge.supports("No commercial flights are operating in or out of Venezuela.", passage)
    score = judge.score("Commercial flights are operating in or out of Venezuela.", passage)
    assert not score.supported and score.negation_mismatch


def test_a_possible_event_is_not_a_done_one() -> None:
    score = SupportJudge().score("The US Embassy has reopened.", EMBASSY_2026_01)
    assert not score.supported and score.hedge_mismatch


def test_a_wrong_month_is_rejected() -> None:
    judge = SupportJudge()
    assert judge.supports("Chávez died in March.", "Chávez died in March.")
    assert not judge.supports("Chávez died in April.", "Chávez died in March.")


class _CountingEmbedder:
    """Bag-of-letters vectors: different texts get different rows; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        return [[float(t.lower().count(c)) for c in "abcdefghijklmnopqrstuvwxyz"] for t in texts]


def test_an_embedder_is_consulted_and_its_rows_normalised() -> None:
    embedder = _CountingEmbedder()
    score = SupportJudge(embedder).score(FORO, FORO)
    assert embedder.calls == 1
    assert score.cosine == pytest.approx(1.0)
    assert SupportJudge().score(FORO, FORO).cosine is None
