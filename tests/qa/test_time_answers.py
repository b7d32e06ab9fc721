"""Answers that change over time, on a small port corpus whose facts change between dated
articles: the present from the newest article that answers, the past from its period,
older different answers as a dated timeline, disagreements disclosed, undated articles
never leading a present-time answer."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from fakes import make_article

from index.build import sync_articles
from index.store import open_store
from index.types import Article
from qa.assistant import Assistant, with_settings
from qa.settings import Settings
from qa.types import Answer

PORT = [
    make_article(
        "port-2021",
        "Captain Ines Moreau was appointed harbour master of Lowport in March. "
        "The port authority said Lowport had 12 ferries in service. "
        "The chair of the port authority, Elena Voss, welcomed the appointment.",
        title="Lowport names a new harbour master",
        published="2021-03-10",
    ),
    make_article(
        "port-2023",
        "The harbour master of Lowport, Tomas Reyes, opened the new ferry terminal on Friday. "
        "The port authority said Lowport had 15 ferries in service. "
        "Elena Voss, the chair of the port authority, cut the ribbon.",
        title="Lowport opens its ferry terminal",
        published="2023-06-02",
    ),
    make_article(
        "port-undated",
        "Anika Sol, harbour master of Lowport, greeted the tall ships at the quay.",
        title="Tall ships visit Lowport",
        published=None,
    ),
    make_article(
        "strike-2024",
        "The dockers' strike in Bramford ended after nine days of talks.",
        title="Bramford strike ends",
        published="2024-01-15",
    ),
]


def _body(answer: Answer) -> str:
    """The answer after its short answer ("Tomas Reyes [1]"), which leads when there is one."""
    if answer.short is not None:
        assert answer.text.startswith(f"{answer.short.text} [{answer.short.n}]\n\n"), answer.text
    return answer.body


def _bot(folder: Path, articles: list[Article], embedder: object) -> Assistant:
    settings = Settings(corpus_dir=folder / "none", data_dir=folder)
    store = open_store(settings, embedder, create=True)  # type: ignore[arg-type]
    sync_articles(articles, settings, embedder, store, progress=False)  # type: ignore[arg-type]
    return Assistant(settings, embedder=embedder, store=store, build_if_missing=False)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def port_bot(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Assistant:
    return _bot(tmp_path_factory.mktemp("port-index"), PORT, real_embedder)


@pytest.mark.parametrize(
    "question",
    [
        "Who is the harbour master of Lowport?",  # present tense, no time word
        "Who is the harbour master of Lowport now?",
        "Who currently serves as harbour master of Lowport?",
    ],
)
def test_a_present_time_question_leads_with_the_newest_answer(
    port_bot: Assistant, question: str
) -> None:
    answer = port_bot.ask(question)
    assert not answer.abstained, answer.text
    lead = answer.citations[0]
    assert lead.article_id == "port-2023", answer.text
    assert "Tomas Reyes" in lead.quote
    assert _body(answer).startswith("As of 2 Jun 2023: "), answer.text
    assert "Sol" not in _body(answer).split("\n")[0]  # the undated article never leads
    short = answer.short  # the newest answer's name, a verbatim span of its quote
    assert short is not None and short.text == "Tomas Reyes" and short.n == lead.n, answer.text
    body = port_bot.snapshot().articles[lead.article_id].body
    assert body[short.start : short.end] == short.text
    assert lead.start <= short.start < short.end <= lead.end


def test_older_different_answers_follow_as_a_dated_timeline(port_bot: Assistant) -> None:
    answer = port_bot.ask("Who is the harbour master of Lowport?")
    _lead, *rest = _body(answer).split("\nEarlier reports:\n")
    assert rest, answer.text
    lines = rest[0].splitlines()
    assert any(line.startswith("- 10 Mar 2021: ") and "Ines Moreau" in line for line in lines)
    cited = {c.n: c for c in answer.citations}
    dates = [cited[int(line.rsplit("[", 1)[1].rstrip("]"))].published for line in lines]
    assert dates == sorted(dates, key=lambda d: d or "", reverse=True)  # newest first
    assert "(in March = Mar 2021)" in answer.text  # a relative date read against its article


def test_an_unchanged_answer_has_no_timeline(port_bot: Assistant) -> None:
    answer = port_bot.ask("Who is the chair of the port authority of Lowport?")
    assert answer.citations[0].article_id == "port-2023", answer.text
    assert "Elena Voss" in answer.citations[0].quote
    assert "Earlier reports" not in answer.text


def test_a_past_anchored_question_is_answered_from_its_period(port_bot: Assistant) -> None:
    answer = port_bot.ask("Who was the harbour master of Lowport in 2021?")
    assert answer.citations[0].article_id == "port-2021", answer.text
    assert "Ines Moreau" in answer.citations[0].quote
    assert answer.short is not None and answer.short.text == "Ines Moreau", answer.text


def test_a_yes_no_question_has_no_short_answer(port_bot: Assistant) -> None:
    # the answering sentence holds a date ("on Friday"), which does not answer "is it open?"
    answer = port_bot.ask("Is the ferry terminal of Lowport open?")
    assert not answer.abstained and answer.citations, answer.text
    assert answer.short is None, answer.short


def test_whether_someone_still_holds_a_role_is_answered_by_the_newest_holder(
    port_bot: Assistant,
) -> None:
    answer = port_bot.ask("Is Ines Moreau still the harbour master of Lowport?")
    assert answer.text.startswith(
        "No: as of 2 Jun 2023, the articles name Tomas Reyes [1] as the harbour master of "
        "Lowport.\n\n"
    ), answer.text
    assert answer.citations[0].article_id == "port-2023", answer.text
    assert "- 10 Mar 2021: " in answer.text and "Ines Moreau" in answer.text  # the timeline
    assert answer.question == "Is Ines Moreau still the harbour master of Lowport?"
    same = port_bot.ask("Is Tomas Reyes the harbour master of Lowport?")
    assert same.text.startswith("Yes: as of 2 Jun 2023, the articles name Tomas Reyes [1]")
    does = port_bot.ask("Does Ines Moreau still serve as harbour master of Lowport?")
    assert does.text.startswith("No: as of 2 Jun 2023, the articles name Tomas Reyes [1]")
    # a yes/no question about something other than a named holder is answered as before
    plain = port_bot.ask("Is the ferry terminal of Lowport open?")
    assert not plain.text.startswith(("Yes:", "No:")), plain.text


def test_last_year_is_read_against_the_newest_article_not_the_clock(port_bot: Assistant) -> None:
    # the corpus's newest article is of January 2024: "last year" is 2023
    answer = port_bot.ask("Who was the harbour master of Lowport last year?")
    assert answer.citations[0].article_id == "port-2023", answer.text


def test_dated_articles_that_disagree_are_both_shown(port_bot: Assistant) -> None:
    answer = port_bot.ask("How many ferries did Lowport have in service?")
    assert answer.text.startswith("Articles of different dates disagree:\n"), answer.text
    assert answer.short is None  # no one short answer when the dates disagree
    assert "- 2 Jun 2023: " in answer.text and "- 10 Mar 2021: " in answer.text
    assert answer.text.index("2 Jun 2023") < answer.text.index("10 Mar 2021")
    assert {c.article_id for c in answer.citations} == {"port-2021", "port-2023"}


def test_an_undated_answer_says_its_date_is_unknown(tmp_path: Path, real_embedder: object) -> None:
    bot = _bot(tmp_path, [PORT[2], PORT[3]], real_embedder)
    answer = bot.ask("Who is the harbour master of Lowport now?")
    assert answer.citations[0].article_id == "port-undated", answer.text
    assert _body(answer).startswith("From an article of unknown date: "), answer.text


LEADERS = [
    make_article(
        "valdoria-2023",
        "Valdoria's prime minister, Arno Kesk, opened the new parliament building on Monday. "
        "The building cost 40 million crowns.",
        title="Valdoria opens its parliament building",
        published="2023-05-01",
    ),
    make_article(
        "valdoria-2025",
        "Valdorian Prime Minister Lina Maar signed the fisheries accord in the capital. "
        "The accord runs for ten years.",
        title="Fisheries accord signed",
        published="2025-04-10",
    ),
    make_article(
        "brelland-2025",
        "Brellish Prime Minister Otto Fenn visited the harbour on Tuesday. "
        "Fenn promised new ferries for the islands.",
        title="Prime minister visits the harbour",
        published="2025-06-01",
    ),
]


def test_a_country_named_by_its_adjective_answers_for_the_country(
    tmp_path: Path, real_embedder: object
) -> None:
    # the newest answer says "Valdorian Prime Minister", not "Valdoria's": it still leads,
    # and the newer article about another country's prime minister does not
    bot = _bot(tmp_path, LEADERS, real_embedder)
    answer = bot.ask("Who is Valdoria's prime minister?")
    assert answer.citations[0].article_id == "valdoria-2025", answer.text
    assert "Otto Fenn" not in answer.text.split("Earlier reports:")[0], answer.text
    assert "Earlier reports:\n- 1 May 2023: " in answer.text, answer.text


HARBOUR = [
    *(  # forty older reports that use the question's words more than the newest one does
        make_article(
            f"lowport-{year}",
            f"Tomas Reyes, the harbour master of Lowport, inspected the quay in {year}. "
            f"The harbour master of Lowport said the ferries of Lowport ran on time. "
            f"Reyes has been harbour master of Lowport since 1980.",
            title=f"Lowport harbour report {year}",
            published=f"{year}-05-01",
        )
        for year in range(1984, 2024)
    ),
    make_article(
        "festival-2025",
        "Crowds filled the old town of Lowport for the summer festival on Saturday. "
        "Stalls sold smoked fish and local beer along the river. "
        "Nora Lind, the new harbour master of Lowport, opened the festival.",
        title="Summer festival draws crowds",
        published="2025-07-12",
    ),
    make_article(
        "bramford-2025",
        "The Bramford council approved a new bridge over the canal on Monday.",
        title="Bramford approves bridge",
        published="2025-08-01",
    ),
]


def test_a_present_time_question_reads_the_newest_articles_naming_its_subject(
    tmp_path: Path, real_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # search ranks the festival report below the forty older ones (they use the question's
    # words most), yet the newest article naming Lowport is read, and its holder leads
    import qa.focus

    bot = _bot(tmp_path, HARBOUR, real_embedder)
    question = "Who is the harbour master of Lowport?"
    answer = bot.ask(question)
    assert answer.citations[0].article_id == "festival-2025", answer.text
    assert "Nora Lind" in answer.text.split("Earlier reports:")[0], answer.text
    monkeypatch.setattr(qa.focus, "NEWEST_NAMING", 0)  # without it: the older holder
    assert bot.ask(question).citations[0].article_id != "festival-2025"


def test_who_a_named_person_is_is_answered_by_what_the_articles_call_them(
    port_bot: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Who is Elena Voss?" asks what she is: the sentences calling her the port authority's
    # chair answer it, though they give no name the question lacks (the check a who-question
    # asking for a name makes), and no other person's name is its short answer
    answer = port_bot.ask("Who is Elena Voss?")
    assert not answer.abstained, answer.text
    assert "Elena Voss" in answer.citations[0].quote and "chair" in answer.citations[0].quote
    assert answer.short is None
    # a who-question about a role, in the same corpus, still asks for its holder's name
    assert port_bot.ask("Who is the harbour master of Lowport?").short is not None
    monkeypatch.setattr(Assistant, "_defines_person", lambda self, *a: False)
    assert port_bot.ask("Who is Elena Voss?").abstained


def _veldana_reports(years: range) -> list[Article]:
    """Older reports on Veldana's prime minister, naming Veldana by its name, one a year."""
    return [
        make_article(
            f"veldana-{year}",
            f"Veldana's prime minister, Arno Kesk, opened the parliament of Veldana in {year}. "
            "The session began with a minute of silence.",
            title=f"Veldana parliament opens {year}",
            published=f"{year}-04-01",
        )
        for year in years
    ]


ADJECTIVE = [
    *_veldana_reports(range(1998, 2020)),
    *(  # newer reports naming Veldana, about other things
        make_article(
            f"fleet-{month}",
            "The fishing fleet of Veldana returned to port with a record catch of herring.",
            title="Record herring catch",
            published=f"2024-{month}-10",
        )
        for month in ("03", "09")
    ),
    make_article(
        "festival-2025",
        "Crowds filled the old town for the summer festival on Saturday. "
        "Stalls sold smoked fish and local beer along the river. "
        "Bands played on three stages until midnight, and the fireworks drew thousands. "
        "Children rode the carousel in the square while their parents danced. "
        "Veldanian Prime Minister Lina Maar opened the festival.",
        title="Summer festival draws crowds",
        published="2025-07-12",
    ),
]


def test_the_newest_articles_naming_a_place_include_those_naming_it_by_its_adjective(
    tmp_path: Path, real_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the newest article says "Veldanian", never "Veldana" (the adjective does not contain
    # the name, as "Canadian" does not contain "Canada"): it still names the question's
    # place, so the newest-articles search reads it and its prime minister leads
    import qa.evidence

    bot = _bot(tmp_path, ADJECTIVE, real_embedder)
    question = "Who is Veldana's prime minister?"
    answer = bot.ask(question)
    assert answer.citations[0].article_id == "festival-2025", answer.text
    assert answer.short is not None and answer.short.text == "Lina Maar", answer.text
    # adjectives no longer count as their place where whole articles are checked
    monkeypatch.setattr(qa.evidence, "_names_kin", lambda text, place: False)
    assert bot.ask(question).citations[0].article_id != "festival-2025"


_PRIZE = (
    "The prime minister's prize for the best stall went to a bakery, as the prime minister's "
    "office had promised last year. Stalls sold smoked fish and local beer along the river. "
)
_THEFTS = "Burglaries and car thefts rose in the harbour district this spring, police say. "
NAMED_DEEP = [
    *_veldana_reports(range(1960, 2020)),
    make_article(  # the newest names Veldana once, by its adjective, deep in a crime story
        "fair-2025",
        "Crowds filled the old town for the summer fair on Saturday. "
        + _PRIZE * 24
        + _THEFTS * 4
        + "The mayor met Veldanian Prime Minister Lina Maar about police budgets on Tuesday. "
        + _THEFTS * 4,
        title="Summer fair draws crowds",
        published="2025-07-12",
    ),
]


def test_a_newest_article_is_read_where_it_names_the_questions_place(
    tmp_path: Path, real_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the newest article naming Veldana is searched, but its chunks about the prime
    # minister's prize match the question better than the one naming Veldana's prime
    # minister in passing; that one is read all the same, and its holder leads
    import qa.assistant

    bot = _bot(tmp_path, NAMED_DEEP, real_embedder)
    question = "Who is Veldana's prime minister?"
    answer = bot.ask(question)
    assert answer.citations[0].article_id == "fair-2025", answer.text
    assert answer.short is not None and answer.short.text == "Lina Maar", answer.text
    monkeypatch.setattr(qa.assistant, "naming_chunks", lambda *_, **__: [])
    assert bot.ask(question).citations[0].article_id != "fair-2025"


PASSING = [
    make_article(
        "office-2023",
        "Valdoria's prime minister, Arno Kesk, moved the prime minister's office on Monday. "
        "The prime minister of Valdoria now works from the old customs house. "
        "Kesk said the office of the prime minister would stay there for ten years.",
        title="Valdoria's prime minister moves office",
        published="2023-05-01",
    ),
    make_article(
        "crime-2025",
        "City crime figures were disputed on Tuesday. "
        "The mayor, who faces a recall vote over rising burglaries and car thefts in the "
        "harbour district, met reporters after talks with Valdorian Prime Minister Lina Maar "
        "about policing budgets, and promised more officers for the night shift by autumn.",
        title="Crime figures disputed",
        published="2025-06-03",
    ),
]


def test_the_newest_holder_of_a_role_leads_though_named_in_passing(
    tmp_path: Path, real_embedder: object
) -> None:
    # the newest article names the prime minister only in passing, with her title, in a
    # sentence about something else; the older one is about the office itself
    bot = _bot(tmp_path, PASSING, real_embedder)
    answer = bot.ask("Who is Valdoria's prime minister?")
    assert answer.citations[0].article_id == "crime-2025", answer.text
    assert "Lina Maar" in answer.citations[0].quote
    assert "Earlier reports:\n- 1 May 2023: " in answer.text, answer.text
    short = answer.short  # the name the title is beside, verbatim from the lead quote
    assert short is not None and (short.text, short.n) == ("Lina Maar", 1), answer.text
    body = bot.snapshot().articles["crime-2025"].body
    assert body[short.start : short.end] == "Lina Maar"
    # a past period: its holder leads, named the same way
    past = bot.ask("Who was Valdoria's prime minister in 2023?")
    assert past.citations[0].article_id == "office-2023", past.text
    assert past.short is not None and past.short.text == "Arno Kesk", past.text
    # without the titles, the sentence about the office itself leads
    plain = with_settings(bot, role_titles=False).ask("Who is Valdoria's prime minister?")
    assert plain.citations[0].article_id == "office-2023", plain.text
    from eval.ablations import ablated

    with ablated("roles"):  # the benchmark's row without it (product-no-roles)
        again = bot.ask("Who is Valdoria's prime minister?")
    assert again.citations[0].article_id == "office-2023", again.text


SUCCESSION = [
    make_article(
        "floods-2023",
        "Peter Holm, Valdoria's foreign minister, said on Monday that aid for the flooded "
        "valleys had arrived from three neighbours. "
        "More than 900 soldiers were sent to the valleys, Prime Minister Arno Kesk said.",
        title="Floods in Valdoria",
        published="2023-05-01",
    ),
    make_article(
        "port-2025",
        "Valdorian Prime Minister Lina Maar opened the new container port on Tuesday.",
        title="A new port",
        published="2025-06-03",
    ),
]


def test_a_timeline_lists_the_earlier_holder_of_the_leads_office(
    tmp_path: Path, real_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the older article's foreign minister carries the question's place in his title and
    # is closer to "Valdoria's prime minister" than the bare "Prime Minister" beside Kesk;
    # the timeline under the newest holder is of her office, so Kesk stands for 2023
    bot = _bot(tmp_path, SUCCESSION, real_embedder)
    question = "Who is Valdoria's prime minister?"
    answer = bot.ask(question)
    assert answer.citations[0].article_id == "port-2025", answer.text
    assert "Earlier reports:\n- 1 May 2023: More than 900 soldiers" in answer.text, answer.text
    assert "Peter Holm" not in answer.text
    import qa.compose

    monkeypatch.setattr(qa.compose, "_same_office", lambda lead, others, least: [])
    assert "Arno Kesk" not in bot.ask(question).text  # the history by closeness alone


OFFICES = [
    make_article(
        "summit-2023",
        "Prime Minister Lina Maar opened the fisheries summit in Halden, Canada, on Monday. "
        "The prime minister of Canada said quotas would be agreed by June.",
        title="Fisheries summit opens",
        published="2023-03-06",
    ),
    make_article(
        "talks-2025",
        "The talks on Arctic shipping lanes ran late into Thursday night. "
        "The Leaders Joining The Talks In Canada Were Prime Minister Arno Kesk, "
        "Irish Taoiseach Mary Doyle And Danish Prime Minister Ole Brandt.",
        title="Arctic shipping talks",
        published="2025-05-02",
    ),
    make_article(
        "farmers-2025",
        "Farmers protested in Kent on Friday as British Prime Minister Tom Hale visited "
        "a grain depot to discuss subsidies and grain sales to Canada.",
        title="Farmers protest subsidies",
        published="2025-09-12",
    ),
    make_article(
        "column-2025",
        "Is Canadian Prime Minister Arno Kesk about to resign? Columnists in Canada think so.",
        title="A column on the government",
        published="2025-10-01",
    ),
]


def test_the_holder_is_of_the_place_asked_about_and_may_be_listed_in_title_case(
    tmp_path: Path, real_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the newest article names another country's prime minister; the newest naming
    # Canada's lists him in a Title Case line, where capitals say nothing of names, and
    # with no place in his title; a question ("Is ... about to resign?") states no holder
    bot = _bot(tmp_path, OFFICES, real_embedder)
    answer = bot.ask("Who is Canada's prime minister?")
    assert answer.citations[0].article_id == "talks-2025", answer.text
    assert answer.short is not None and answer.short.text == "Arno Kesk", answer.text
    import qa.roles

    monkeypatch.setattr(qa.roles, "PLACE_LABELS", frozenset())  # titles' places unread
    assert bot.ask("Who is Canada's prime minister?").citations[0].article_id == "farmers-2025"


def test_only_a_present_tense_question_reads_titles(port_bot: Assistant) -> None:
    assert port_bot._holds_role("Who is the harbour master of Lowport?") is not None
    assert port_bot._holds_role("Who was the harbour master of Lowport?") is None
    # a past main clause with a later "now" asks about an event, not who holds a role now
    assert (
        port_bot._holds_role("Which captain did Lowport name in 2021, and is she still there?")
        is None
    )
    assert (
        with_settings(port_bot, role_titles=False)._holds_role(
            "Who is the harbour master of Lowport?"
        )
        is None
    )


SENATE = [
    make_article(
        "senate-2016",
        "Senate Majority Leader Ada Brun, of the Green party, said the budget vote would wait "
        "until spring. Valdoria's farmers welcomed the delay.",
        title="Valdorian budget vote delayed",
        published="2016-05-02",
    ),
    *(  # newer reports, each naming the majority leader with the question's words
        make_article(
            f"senate-2025-{month:02d}",
            f"Senate Majority Leader John Miller said on {day} that the {topic} bill of the "
            f"Valdorian Senate would pass before {season}.",
            title=f"Valdorian Senate to vote on the {topic} bill",
            published=f"2025-{month:02d}-10",
        )
        for month, day, topic, season in zip(
            range(1, 13),
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] * 2,
            [
                "ferry",
                "harbour",
                "fishing",
                "forestry",
                "railway",
                "pension",
                "school",
                "water",
                "tax",
                "road",
                "grain",
                "wool",
            ],
            ["winter", "the election", "the harvest", "the recess"] * 3,
            strict=True,
        )
    ),
]


def test_a_timeline_reaches_the_earlier_holder_in_articles_the_search_did_not_read(
    tmp_path: Path, real_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the question's search reads the best four chunks (and the newest articles): newer
    # reports of the lead's holder use its words as much as the 2016 one naming the holder
    # before her; the timeline under the lead comes from searches of ever older articles
    bot = with_settings(_bot(tmp_path, SENATE, real_embedder), read_chunks=4)
    question = "Who is the majority leader of the Valdorian Senate now?"
    answer = bot.ask(question)
    assert answer.citations[0].article_id == "senate-2025-12", answer.text
    assert "Earlier reports:\n- 2 May 2016: Senate Majority Leader Ada Brun" in answer.text, (
        answer.text
    )
    monkeypatch.setattr(Assistant, "_earlier", lambda *args: [])
    assert "Ada Brun" not in bot.ask(question).text  # the question's own search alone


def test_a_timeline_shows_each_earlier_holder_once_by_the_newest_report(
    tmp_path: Path, real_embedder: object
) -> None:
    # a new holder in 2026 above twelve 2025 reports of John Miller and one of Ada Brun:
    # the two slots under the lead go to two earlier holders, not to Miller twice
    newest = make_article(
        "senate-2026",
        "The new Senate Majority Leader, Nora Vale, opened the session of the Valdorian Senate "
        "on Monday.",
        title="Valdorian Senate opens",
        published="2026-01-12",
    )
    bot = _bot(tmp_path, [*SENATE, newest], real_embedder)
    answer = bot.ask("Who is the majority leader of the Valdorian Senate now?")
    assert answer.citations[0].article_id == "senate-2026", answer.text
    earlier = answer.text.split("Earlier reports:\n")[1].splitlines()
    assert [line[:40] for line in earlier] == [
        "- 10 Dec 2025: Senate Majority Leader Jo",
        "- 2 May 2016: Senate Majority Leader Ada",
    ], answer.text


def test_the_newest_articles_are_read_for_titles_whatever_their_sentences_score(
    tmp_path: Path, real_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # titles are read among the best sentences (here only the best one, an older article's
    # about the office) and among every read sentence of the two newest articles, where
    # "Valdorian Prime Minister Lina Maar" stands in a sentence about crime
    import qa.assistant
    import qa.compose

    bot = _bot(tmp_path, PASSING, real_embedder)
    question = "Who is Valdoria's prime minister?"
    narrow = functools.partial(qa.compose.Policy, role_read=1)
    monkeypatch.setattr(qa.assistant, "Policy", narrow)
    answer = bot.ask(question)
    assert answer.citations[0].article_id == "crime-2025", answer.text
    assert answer.short is not None and answer.short.text == "Lina Maar", answer.text
    monkeypatch.setattr(qa.assistant, "Policy", functools.partial(narrow, role_newest=0))
    assert bot.ask(question).citations[0].article_id == "office-2023"


def test_an_older_report_of_the_leads_holder_is_no_earlier_answer(
    tmp_path: Path, real_embedder: object
) -> None:
    # 2024 names the same prime minister as the newest article, without her title and
    # beside other names: the timeline under her shows the one before her, not her again
    again = make_article(
        "budget-2024",
        "Lina Maar's government in Valdoria won the prime minister's vote in the Harbour "
        "Council at Eastport on Monday.",
        title="Valdoria's budget",
        published="2024-02-05",
    )
    bot = _bot(tmp_path, [*SUCCESSION, again], real_embedder)
    answer = bot.ask("Who is Valdoria's prime minister?")
    assert answer.citations[0].article_id == "port-2025", answer.text
    assert "Earlier reports:\n- 1 May 2023: More than 900 soldiers" in answer.text, answer.text
    assert "5 Feb 2024" not in answer.text, answer.text


def test_a_later_report_of_the_leads_holder_dates_the_answer(
    tmp_path: Path, real_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the search reads one hit, the 2024 article about Valdoria's government; the 2025
    # article names the same prime minister, with her title but not her country, in a
    # sentence about crime, so no search for Valdoria reads it; the answer is dated by it,
    # and the 2024 holder is not listed again as an earlier answer
    office = make_article(
        "office-2024",
        "Prime Minister Lina Maar moved Valdoria's government offices on Monday. "
        "The prime minister of Valdoria now works from the old customs house.",
        title="Valdoria's government moves",
        published="2024-03-04",
    )
    crime = make_article(
        "crime-2025",
        "City crime figures were disputed on Tuesday. The mayor met reporters after talks "
        "with Prime Minister Lina Maar about policing budgets and promised more officers.",
        title="Crime figures disputed",
        published="2025-06-03",
    )
    bot = with_settings(_bot(tmp_path, [office, crime], real_embedder), read_chunks=1)
    question = "Who is Valdoria's prime minister?"
    answer = bot.ask(question)
    assert answer.citations[0].article_id == "crime-2025", answer.text
    assert "Earlier reports" not in answer.text, answer.text
    assert answer.short is not None and answer.short.text == "Lina Maar", answer.text
    monkeypatch.setattr(Assistant, "_newer", lambda self, *a: [])
    assert bot.ask(question).citations[0].article_id == "office-2024"


TERMS = [
    make_article(
        "visit-2021",
        "Mara Tell, the president of Valdoria, visited the northern dams on Friday.",
        title="The president visits the dams",
        published="2021-05-02",
    ),
    make_article(
        "budget-2022",
        "The budget passed on Tuesday after a long night of votes in parliament. "
        "Valdorian farmers will gain most, President Mara Tell said.",
        title="Budget passes",
        published="2022-03-01",
    ),
    make_article(
        "summit-2025",
        "Valdorian President Ivo Brandt, the country's third president in two years, took "
        "office in July 2024. He hosts the regional trade summit.",
        title="Trade summit opens",
        published="2025-09-02",
    ),
]


def test_a_past_period_with_no_report_is_not_answered_by_another_years_holder(
    tmp_path: Path, real_embedder: object
) -> None:
    bot = _bot(tmp_path, TERMS, real_embedder)
    answer = bot.ask("Who was the president of Valdoria in 2022?")
    assert answer.citations[0].article_id == "budget-2022", answer.text
    assert answer.short is not None and answer.short.text == "Mara Tell", answer.text
    # no report of 2023: neither the holder of 2021 nor the one since 2024 answers for it
    gap = bot.ask("Who was the president of Valdoria in 2023?")
    assert gap.abstained and not gap.citations, gap.text
    assert "says who in 2023" in gap.text, gap.text
    # a later report that names the period answers for it
    named = bot.ask("Who took office as president of Valdoria in 2024?")
    assert named.citations[0].article_id == "summit-2025", named.text
    assert named.short is not None and named.short.text == "Ivo Brandt", named.text
