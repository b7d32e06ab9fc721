"""The time frame of a question, from spaCy's parse of its main clause and its time words."""

from __future__ import annotations

import pytest

from qa.question import analyze
from qa.timeframe import SpacyTense


@pytest.fixture(scope="module")
def tenses() -> SpacyTense:
    return SpacyTense()


@pytest.mark.parametrize(
    "question",
    [
        "Who is the president of Venezuela?",  # present tense, no time word
        "Who runs the port authority?",
        "Is the US embassy in Caracas open?",
        "Do they have an ambassador in Caracas?",  # present auxiliary
        "Has the embassy reopened?",  # present perfect: the state now
        "Who's the boss of Disney?",
        "Who is the CEO of X, the company formerly called Twitter?",  # parsed with a later root
        "Who is the prime minister now?",  # the time words
        "Who currently leads the party?",
        "Where is Maduro these days?",
        "Who did they appoint as envoy most recently?",  # a past tense with "most recently"
    ],
)
def test_present_time_questions(tenses: SpacyTense, question: str) -> None:
    q = analyze(question, tense=tenses.tense(question), now="2026-03-01")
    assert q.frame == "present", (question, tenses.tense(question))


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("Who was the president of Venezuela in 2019?", (20190000, 20199999)),
        ("Who was the British prime minister in July 2022?", (20220700, 20220799)),
        ("Who is the president in June 2013?", (20130600, 20130699)),  # a period beats tense
        ("Who led the party last year?", (20250000, 20259999)),  # the corpus's now, not the clock
        ("Who spoke at the summit in January?", (20260100, 20260199)),
    ],
)
def test_past_anchored_questions(
    tenses: SpacyTense, question: str, period: tuple[int, int]
) -> None:
    q = analyze(question, tense=tenses.tense(question), now="2026-03-01")
    assert (q.frame, q.period) == ("past", period), question
    assert not q.wants_latest


@pytest.mark.parametrize(
    "question",
    [
        "Who met Elías Jaua in Guatemala?",  # past tense, no period
        "Why did the US close its embassy?",
        "Who will host the World Cup in September?",  # a modal; a future month is no period
        "Venezuela oil exports?",  # no verb
    ],
)
def test_questions_about_no_particular_time(tenses: SpacyTense, question: str) -> None:
    q = analyze(question, tense=tenses.tense(question), now="2026-03-01")
    assert (q.frame, q.period) == ("any", None), (question, tenses.tense(question))


def test_without_a_tense_reader_only_time_words_mean_now() -> None:
    assert analyze("Who is the president?").frame == "any"
    assert analyze("Who is the president now?").frame == "present"
    assert analyze("Who led the party last year?").period is None  # no corpus date given


def test_the_tense_reader_and_the_noun_chunker_share_one_loaded_parser(
    tenses: SpacyTense,
) -> None:
    from qa.entities import NounChunker, shared_pipeline

    chunker = NounChunker()
    assert tenses.tense("Who runs the company now?") == "present"
    assert [c.text for c in chunker.tag(["The zoo studied the chimpanzees."])[0]] == [
        "zoo",
        "chimpanzees",
    ]
    nlp, lock = shared_pipeline(SpacyTense.exclude)
    assert shared_pipeline(NounChunker.exclude) == (nlp, lock)
    assert "parser" in nlp.pipe_names and "ner" not in nlp.pipe_names


@pytest.mark.parametrize(
    ("question", "regex_only", "parsed"),
    [
        # a wh-word opening a relative or adverbial clause does not say what is asked for
        ("Which app, where women share notes on their dates, was hacked?", "where", "what"),
        ("Studies found that people who drink what beverage age better?", "who", "what"),
        ("Which port was hit hardest when the storm came ashore this week?", "when", "what"),
        ("Which country was hit hardest when the storm came ashore?", "when", "where"),
        # the main clause's wh-word still types the question
        ("Where did the two sides meet before the talks that ended the strike?", "where", "where"),
        ("Who is the CEO of X, the company formerly called Twitter?", "who", "who"),
        ("When did the embassy close?", "when", "when"),
    ],
)
def test_the_main_clause_types_a_question(
    tenses: SpacyTense, question: str, regex_only: str, parsed: str
) -> None:
    assert analyze(question).qtype == regex_only
    spans = tenses.read(question).subordinate
    assert analyze(question, subordinate=spans).qtype == parsed, spans
