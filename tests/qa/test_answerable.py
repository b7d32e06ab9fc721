"""Answerability checks: an on-topic sentence that lacks what the question asks for is not
quoted as an answer; the refusal names what is missing."""

from __future__ import annotations

import doctest
from dataclasses import replace

import pytest
from fakes import make_article

import qa.answerable
from index.chunk import chunk_article
from qa.answerable import (
    MOSTLY_MISSING,
    head_noun,
    missing_share,
    topic_words,
    unanswered,
)
from qa.compose import Policy, compose
from qa.evidence import Evidence, answer_cue
from qa.question import analyze
from qa.snapshot import Sentence, Snapshot


def ev(question: str, text: str, lexical: float = 0.5, dense: float = 0.6) -> Evidence:
    s = Sentence("a", "body", 0, len(text), text)
    cue = answer_cue(analyze(question), text)
    return Evidence(sentence=s, score=0.8, dense=dense, lexical=lexical, cue=cue, context=1.0)


def test_docstring_examples() -> None:
    result = doctest.testmod(qa.answerable)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("question", "noun"),
    [
        ("In what court is the general being tried?", "court"),
        ("Which cabinet secretary flew back?", None),  # no auxiliary after the noun: unknown
        ("What council does she head?", "council"),
        ("Which city did they meet in?", None),  # a typed question: the cue check covers it
        ("What did the two sides agree?", None),
        ("What did the US do after the embassy closed?", None),  # "did the US" names no thing
        ("What were the reasons for the delay?", None),
    ],
)
def test_head_noun(question: str, noun: str | None) -> None:
    assert head_noun(question) == noun


def test_what_thing_must_be_named_by_a_chosen_sentence() -> None:
    q = analyze("What sentence did the general get at his trial?")
    trial = ev(q.text, "The general is due to stand trial this month.")
    assert unanswered(q, [trial]) == "what sentence"
    given = ev(q.text, "The general was sentenced to ten years in prison.")
    assert unanswered(q, [trial, given]) is None
    q2 = analyze("What maker did the court name?")
    assert unanswered(q2, [ev(q2.text, "The court named the filmmaker.")]) is None


def test_a_yes_no_question_about_two_people_needs_one_sentence_naming_both() -> None:
    q = analyze("Is Delia Ramos related to Jorge Ramos?")
    one = ev(q.text, "Jorge Ramos announced the talks.")
    other = ev(q.text, "Delia Ramos spoke on Wednesday.")
    assert unanswered(q, [one, other]) == "anything about Delia Ramos and Jorge Ramos together"
    both = ev(q.text, "Delia Ramos is the sister of Jorge Ramos.")
    assert unanswered(q, [both]) is None
    q3 = analyze("Did Ana Lopez meet Carl Diaz?")
    assert unanswered(q3, [ev(q3.text, "Lopez met Diaz in May.")]) is None  # surnames suffice


def test_a_lead_sharing_no_word_must_be_close_in_meaning() -> None:
    q = analyze("Who won the presidential election?")
    weak = ev(q.text, "The State Department declined to comment.", lexical=0.0, dense=0.40)
    assert unanswered(q, [weak]) == "anything about it"
    close = ev(q.text, "Nicolas Maduro was declared the winner.", lexical=0.0, dense=0.6)
    assert unanswered(q, [close]) is None


def test_quotes_lacking_most_of_the_question_need_a_lead_close_in_meaning() -> None:
    q = analyze("Which best-selling author, whose novels sold millions, died this week?")
    # one shared word ("week") of the question's many: another story of the week
    loose = ev(q.text, "The storm will reach the coast this week.", lexical=0.1, dense=0.30)
    assert missing_share(q, [loose], None) > MOSTLY_MISSING
    assert unanswered(q, [loose], mostly_missing=MOSTLY_MISSING) == "anything about it"
    assert unanswered(q, [loose]) is None  # the check is the whole answer's, asked for
    close = replace(loose, dense=0.5)  # close in meaning: the words may differ
    assert unanswered(q, [close], mostly_missing=MOSTLY_MISSING) is None
    held = ev(q.text, "The best-selling author, whose novels sold millions, died on Monday.",
              lexical=0.6, dense=0.30)  # fmt: skip
    assert missing_share(q, [held], None) < MOSTLY_MISSING
    assert unanswered(q, [held], mostly_missing=MOSTLY_MISSING) is None


def test_a_topic_asked_about_must_be_in_a_chosen_sentence() -> None:
    q = analyze("What did the two countries agree about deportation flights?")
    assert topic_words(q.text) == ["deportation", "flights"]
    agreed = ev(q.text, "The two countries agreed to restore relations.")
    assert unanswered(q, [agreed]) == "anything about deportation flights"
    flights = ev(q.text, "They agreed to resume deportation flights in May.")
    assert unanswered(q, [agreed, flights]) is None


def test_a_role_described_but_not_named_is_not_answered_with_another_name() -> None:
    q = analyze("Who was the rights chief who warned about shrinking civic space?")
    described = ev(q.text, "The rights chief warned that civic space was shrinking.", lexical=0.9)
    other = ev(q.text, "The rights group Foro Penal warned of persecution.", lexical=0.2)
    assert (described.cue, other.cue) == (0.0, 1.0)
    assert unanswered(q, [other], [described, other]) == "who"
    named = ev(q.text, "Rights chief Ana Lopez warned civic space was shrinking.", lexical=0.8)
    assert unanswered(q, [named], [described, named]) is None


def test_a_title_case_list_of_names_is_not_a_description_without_a_name() -> None:
    # capitals say nothing in a Title Case line, so its cue is 0, but it names people:
    # it does not show that the articles describe the role without naming anyone
    q = analyze("Who is the harbour master of Lowport?")
    listed = ev(q.text, "Guests Were Lowport Harbour Master Nora Lind And Mayor Tom Ash.", 0.9)
    named = ev(q.text, "Nora Lind, the new harbour master, opened the festival.", lexical=0.5)
    assert (listed.cue, named.cue) == (0.0, 1.0)
    assert unanswered(q, [named], [listed, named]) is None
    described = ev(q.text, "The harbour master of Lowport opened the new quay.", lexical=0.9)
    assert unanswered(q, [named], [described, named]) == "who"


def test_a_count_must_count_the_things_asked_about() -> None:
    q = analyze("How many barrels of oil does the country produce a day?")
    two = ev(q.text, "The two countries will develop mining together.")
    assert two.cue == 1.0  # a number, but of countries
    assert unanswered(q, [two]) == "how many barrels"
    barrels = ev(q.text, "The country produces 800,000 barrels a day.")
    assert unanswered(q, [two, barrels]) is None
    people = analyze("How many people died in the raid?")  # any count of deaths will do
    assert unanswered(people, [ev(people.text, "More than 100 deaths were reported.")]) is None


def test_how_much_money_needs_an_amount_of_money() -> None:
    q = analyze("How much are the new oil deals worth in dollars?")
    two = ev(q.text, "The two countries signed new oil deals.")
    assert unanswered(q, [two]) == "how much money"
    worth = ev(q.text, "The oil deals are worth $2.5 billion over five years.")
    assert unanswered(q, [two, worth]) is None
    also = ev(q.text, "The deals are worth 300 million dollars.")
    assert unanswered(q, [also]) is None


def test_an_amount_of_money_answers_how_much_money_without_the_word() -> None:
    q = analyze("How much money did the city spend to repave Harbor Road?")
    spent = ev(q.text, "Officials said the city spent $3.4 million on the Harbor Road works.")
    assert unanswered(q, [spent]) is None
    funding = analyze("How much funding was awarded to clean the Lowport river?")
    grant = ev(funding.text, "The agency awarded $12 million to clean the Lowport river.")
    assert unanswered(funding, [grant]) is None
    vague = ev(q.text, "The city spent months repaving Harbor Road.")  # no amount: refused
    assert unanswered(q, [vague]) is not None


def _article_evidence(body: str, dense: float, lexical: float) -> tuple[Snapshot, list[Evidence]]:
    """A one-article snapshot and every sentence of it as evidence of the given scores."""
    article = make_article("a", body)
    snap = Snapshot("g", {"a": article}, chunk_article(article))
    evidence = [
        Evidence(sentence=s, score=0.9, dense=dense, lexical=lexical, cue=0.5, context=1.0)
        for s in snap.sentences("a", "body")
    ]
    return snap, evidence


def test_the_refusal_names_what_is_missing() -> None:
    body = "The general is due to stand trial this month. Prosecutors filed new charges."
    snap, evidence = _article_evidence(body, dense=0.7, lexical=0.5)
    q = analyze("What sentence did the general get?")
    composed = compose(snap, q, evidence, [], Policy(threshold=0.5))
    assert composed.abstained and not composed.citations
    assert "none of the passages I found says what sentence" in composed.text


def test_the_composer_refuses_quotes_that_lack_most_of_the_question() -> None:
    from eval.ablations import ablated

    body = "The storm will reach the coast this week. Schools will close on Friday."
    snap, evidence = _article_evidence(body, dense=0.3, lexical=0.1)
    q = analyze("Which best-selling author, whose novels sold millions, died this week?")
    composed = compose(snap, q, evidence, [], Policy(threshold=0.5))
    assert composed.abstained and not composed.citations
    with ablated("coverage"):  # the same evidence, the whole answer's check switched off
        answered = compose(snap, q, evidence, [], Policy(threshold=0.5))
    assert not answered.abstained and answered.citations
