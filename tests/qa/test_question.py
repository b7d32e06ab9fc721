from __future__ import annotations

import pytest

from qa.conversation import resolve_followup
from qa.question import analyze, content_terms, fold, stem
from qa.timeref import human_date, parse_bound, resolve_relative, sort_key


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("Who met the foreign minister?", "who"),
        ("When did the embassy close?", "when"),
        ("What year did Chávez die?", "when"),
        ("Where did the two men meet?", "where"),
        ("How many political prisoners were counted?", "how_many"),
        ("Why were the talks halted?", "why"),
        ("Is the embassy open?", "yesno"),
        ("What did Bolton say?", "what"),
    ],
)
def test_question_types(question: str, qtype: str) -> None:
    assert analyze(question).qtype == qtype


def test_entities_skip_question_words_and_keep_accents() -> None:
    q = analyze("Did John Kerry meet Elías Jaua in Antigua?")
    assert q.entities == ("John Kerry", "Elías Jaua", "Antigua")


def test_latest_intent_and_years() -> None:
    assert analyze("Who is the current president?").wants_latest
    assert not analyze("Who was president in 2019?").wants_latest
    assert analyze("Who was president in 2019?").years == (2019,)


def test_terms_are_folded_stemmed_and_stopword_free() -> None:
    assert content_terms("The TALKS about Sanctions") == ["talk", "sanction"]
    assert stem("negotiated") == stem("negotiations")
    assert content_terms("What's the latest? Who's there? Maduro's talks") == ["maduro", "talk"]
    assert fold("Nicolás Maduro") == "nicolas maduro"
    assert stem("relations") == stem("relation")


def test_relative_dates_read_against_article_date() -> None:
    # 2019-08-21 was a Wednesday: "Monday" is the 19th, "Tuesday" the 20th.
    assert resolve_relative("Cabello on Monday denied it.", "2019-08-21") == [
        ("Monday", "2019-08-19")
    ]
    # A later month than the article's means the year before.
    assert resolve_relative("Talks began in October.", "2024-07") == [("in October", "2023-10")]
    assert resolve_relative("Talks began on Monday.", "2024-07") == []  # month precision only
    assert resolve_relative("It happened on Monday.", None) == []


def test_dates_sort_and_bounds() -> None:
    assert sort_key("2019-08-21") > sort_key("2019-08") > sort_key("2019") > sort_key(None)
    assert human_date("2026-01-10") == "10 Jan 2026"
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_bound("last week")


def test_followups_carry_entities_and_time() -> None:
    history = [("Who led Venezuela in 2013?", "Nicolás Maduro [1]")]
    assert resolve_followup(history, "And in 2026?") == "Who led Venezuela in 2026?"
    assert resolve_followup([], "And in 2026?") == "And in 2026?"
    pronoun = resolve_followup([("What did Bolton tweet?", "...")], "Why did he say that?")
    assert pronoun == "Why did Bolton say that?"


def test_fold_strips_every_accent_and_keeps_the_rest() -> None:
    import unicodedata

    from qa.question import fold

    samples = ["Elías Jaua", "NICOLÁS MADURO’s", "Ñandú e\u0301te", "ﬁle – Zürich", "plain ascii"]
    for text in samples:
        slow = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        ).lower()
        assert fold(text) == slow
    assert fold("Elías") == "elias"


def test_figures_are_the_amounts_and_counts_a_question_gives_in_digits() -> None:
    q = analyze("Which oil giant will cut 4,700 jobs after a $1.5 billion loss in 2025?")
    assert q.figures == ("4,700", "1.5")  # the year is the period's, not a figure
    # spelled-out sizes, small counts, ordinals and digits inside names are no figures
    assert analyze("Which team won its 3rd title in 9 years of COVID-19 rules?").figures == ()
    assert analyze("Which city hosted the 82nd gala for 12 nights?").figures == ("12",)


def test_quoted_words_are_the_details_a_question_gives_verbatim() -> None:
    q = analyze('Which sport is in a "slimy" row after the ‘best in show’ prize?')
    assert q.quoted == ("slimy", "best in show")
    # apostrophes and possessives quote nothing
    assert analyze("Which of Biden's and Trump's aides said 'no'?").quoted == ("no",)
    assert analyze("Who won the players' vote in the coaches' poll?").quoted == ()
    # a question pasted inside quotes is not a quote it makes
    assert analyze("“Who runs Venezuela now?”").quoted == ()
