"""The titles news writes beside a name (spaCy's parser), and how close each is to a question
about a role (the real embedder), on hand-written sentences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from fakes import make_article

from index.chunk import chunk_article
from qa.compose import Composed, Holds, Policy, compose
from qa.entities import Entity, EntityTagger
from qa.evidence import Evidence, answer_cue
from qa.question import QuestionInfo, analyze
from qa.roles import Role, TitleReader, best, role_scores
from qa.snapshot import Sentence, Snapshot
from qa.timeframe import SpacyTense


@pytest.fixture(scope="module")
def reader() -> TitleReader:
    return TitleReader()


def _titles(reader: TitleReader, text: str, name: str) -> list[str]:
    start = text.index(name)
    return reader.titles(reader.tag([text])[0], start, start + len(name))


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        (
            "Trump met Tuesday with Valdorian Prime Minister Lina Maar.",
            "Lina Maar",
            "Valdorian Prime Minister",
        ),
        (
            "Lina Maar, the prime minister of Valdoria, signed the accord.",
            "Lina Maar",
            "prime minister of Valdoria",
        ),
        (
            "Since former Prime Minister Arno Kesk's budget, ferries were cut.",
            "Arno Kesk",
            "former Prime Minister",
        ),
        ("Orbis's CEO Dana Holt said revenue fell.", "Dana Holt", "Orbis's CEO"),
        (  # parsed as one subtree around the name (a real page's sentence): two titles
            "Democrats, including Senate Majority Leader Chuck Schumer, D-N.Y., have "
            "promised to bring up a series of votes.",
            "Chuck Schumer",
            "Senate Majority Leader",
        ),
        (
            "Lina Maar has been Valdoria's prime minister since 2022.",
            "Lina Maar",
            "Valdoria's prime minister",
        ),
    ],
)
def test_the_title_beside_a_name(reader: TitleReader, text: str, name: str, title: str) -> None:
    assert title in _titles(reader, text, name)


def test_a_name_without_a_title_has_none(reader: TitleReader) -> None:
    assert _titles(reader, "Lina Maar signed the accord on Monday.", "Lina Maar") == []


def test_a_title_close_to_the_question_outscores_other_offices(
    reader: TitleReader, real_embedder: object
) -> None:
    texts = [
        "The ferry strike ended after talks with Valdorian Labour Minister Ivo Tamm.",
        "Trump met Tuesday with Valdorian Prime Minister Lina Maar about crime in the city.",
        "Since former Prime Minister Arno Kesk's budget, ferries were cut.",
        "The accord was signed on Monday.",
    ]
    embed = real_embedder.embed  # type: ignore[attr-defined]
    qvec = embed(["Who is Valdoria's prime minister?"])[0]
    tagger = EntityTagger()
    calls: list[Sequence[str]] = []

    def counted(titles: Sequence[str]) -> np.ndarray:
        calls.append(titles)
        return np.asarray(embed(titles))

    def person(e: Entity) -> bool:
        return e.label == "PERSON"

    found = [best(r) for r in role_scores(qvec, texts, tagger.tag(texts), person, counted, reader)]
    (minister, _, _, _), (prime, name, office, _), (former, *_), (untitled, nobody, none, _) = found
    assert untitled == 0.0 and nobody is None and none is None  # no person, no title
    assert name is not None and texts[1][name.start : name.end] == "Lina Maar"
    assert prime > minister and prime > former, (prime, minister, former)
    assert len(calls) == 1  # the titles are embedded in one call
    # her office is her title without its place: the same office as the former one's
    assert office is not None
    assert float(office @ embed(["Prime Minister"])[0]) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    "text",
    [
        "Mr Holm served as finance minister to former President Ada Brun for six years.",
        "The bridge was opened by ex-President Ada Brun in 2009.",
        "The treaty was signed by then-President Ada Brun and two envoys.",
    ],
)
def test_a_title_saying_its_holder_left_the_office_names_no_holder(
    reader: TitleReader, real_embedder: object, text: str
) -> None:
    embed = real_embedder.embed  # type: ignore[attr-defined]
    qvec = embed(["Who is Valdoria's president now?"])[0]
    tagger = EntityTagger()
    assert "President" in " ".join(_titles(reader, text, "Ada Brun"))  # a title is there ...
    roles = role_scores(qvec, [text], tagger.tag([text]), _person, embed, reader)[0]
    assert all(r.entity is None or r.entity.text != "Ada Brun" for r in roles), roles  # ... unread


def test_another_countrys_office_is_no_title_for_a_question_naming_a_place(
    reader: TitleReader, real_embedder: object
) -> None:
    texts = [
        "Trump met Tuesday with British Prime Minister Tom Hale about trade.",
        "Canadian Prime Minister Lina Maar spoke on Monday.",
    ]
    embed = real_embedder.embed  # type: ignore[attr-defined]
    qvec = embed(["Who is Canada's prime minister?"])[0]
    entities = EntityTagger().tag(texts)

    def person(e: Entity) -> bool:
        return e.label == "PERSON"

    (british, other, *_), (canadian, name, *_) = map(
        best, role_scores(qvec, texts, entities, person, embed, reader, places=True)
    )
    assert (british, other) == (0.0, None)  # "British" takes "Prime Minister" away from Canada
    assert name is not None and texts[1][name.start : name.end] == "Lina Maar"
    assert canadian > 0.55
    # without ``places`` (a question naming no place) the British title counts
    (plain, someone, *_), _ = map(best, role_scores(qvec, texts, entities, person, embed, reader))
    assert someone is not None and plain > 0.5


def test_a_period_sentence_naming_the_roles_holder_answers_below_the_threshold(
    reader: TitleReader, real_embedder: object
) -> None:
    snap, sentences = _one_article(
        "House Speaker Nora Vale plans to depart Friday for a tour of Asia. "
        "The trip was planned for months.",
        "2022-07-29",
    )
    q = analyze("Who held the House speakership in July 2022?")
    assert q.frame == "past"
    policy = Policy(threshold=0.46)
    # the period's sentences, above the period's floor (0.85 x threshold), none above the
    # threshold: "speakership" is not a word of the article
    evidence = _evidence(q, sentences, 0.42, period=1.0)
    holds = _holds(reader, real_embedder, q.text)
    answer = compose(snap, q, evidence, [], policy, holds=holds)
    assert not answer.abstained, answer.text
    assert "House Speaker Nora Vale" in answer.text
    assert answer.holder is not None and answer.holder.text == "Nora Vale"
    # without the holder's title nothing is on topic enough to answer
    assert compose(snap, q, evidence, [], policy).abstained


def _person(e: Entity) -> bool:
    return e.label == "PERSON"


def _one_article(body: str, published: str) -> tuple[Snapshot, list[Sentence]]:
    """A snapshot of one dated article, and its sentences."""
    article = make_article("a", body, published=published)
    snap = Snapshot("g", {article.id: article}, chunk_article(article))
    return snap, snap.sentences(article.id, "body")


def _evidence(
    q: QuestionInfo, sentences: Sequence[Sentence], top: float, *, dense: float = 0.6,
    lexical: float = 0.4, period: float = 0.0,
) -> list[Evidence]:  # fmt: skip
    """The sentences as evidence scored ``top`` down by 0.02, with the real answer cue."""
    return [Evidence(sentence=s, score=top - 0.02 * i, dense=dense, lexical=lexical,
                     cue=answer_cue(q, s.text), context=1.0, period=period)
            for i, s in enumerate(sentences)]  # fmt: skip


def _holds(
    reader: TitleReader, embedder: object, question: str, places: bool = False,
    asked: np.ndarray | None = None,
) -> Holds:  # fmt: skip
    """The assistant's role reading for ``question``: real NER, parse and embedder."""
    embed = embedder.embed  # type: ignore[attr-defined]
    qvec = embed([question])[0]
    tagger = EntityTagger()

    def holds(texts: Sequence[str]) -> list[tuple[Role, ...]]:
        return role_scores(qvec, texts, tagger.tag(texts), _person, embed, reader, places, asked)

    return holds


@pytest.mark.parametrize(
    ("question", "office"),
    [
        ("Who is Japan's prime minister?", "prime minister"),
        ("Who was the reigning British monarch in June 2022?", "reigning monarch"),
        ("Who was in Downing Street as prime minister in December 2022?", "prime minister"),
        ("Who is the majority leader of the US Senate now?", "majority leader"),
        ("Who is the CEO of X, the company formerly called Twitter?", "CEO"),
        ("Who currently heads Japan's government?", None),  # no office named
        ("What did the minister say?", None),
    ],
)
def test_the_office_a_question_asks_about(question: str, office: str | None) -> None:
    assert SpacyTense().read(question).office == office


@pytest.mark.parametrize(
    ("question", "check"),
    [
        ("Is Keir Starmer still the UK prime minister?",
         ("Keir Starmer", "the UK prime minister", "Who is still the UK prime minister?")),
        ("Is Bob Iger the CEO of Disney?",
         ("Bob Iger", "the CEO of Disney", "Who is the CEO of Disney?")),
        ("Is Francis still the pope?", ("Francis", "the pope", "Who is still the pope?")),
        # the small parser reads the name as the attribute here, and as the role's compound
        ("Is Delcy Rodriguez the president of Venezuela?",
         ("Delcy Rodriguez", "the president of Venezuela",
          "Who is the president of Venezuela?")),
        ("Is Maduro still Venezuela's president?",
         ("Maduro", "Venezuela's president", "Who is still Venezuela's president?")),
        ("Is Venezuela's request for talks just posturing?", None),  # the name's possession
        # what the name does, to a name or "as" a role
        ("Does Chapek still run Disney?",
         ("Chapek", "the one who does run Disney", "Who does still run Disney?")),
        ("Does Ines Moreau still serve as harbour master?",
         ("Ines Moreau", "the one who does serve as harbour master",
          "Who does still serve as harbour master?")),
        ("Does Venezuela have oil?", None),  # a thing had is no role
        ("Is Delcy Rodriguez related to Jorge Rodriguez?", None),  # no role: a relation
        ("Is the US embassy in Caracas open?", None),  # no name for a subject
        ("Who is the CEO of Disney?", None),
    ],
)  # fmt: skip
def test_a_yes_no_question_about_a_named_holder_of_a_role(
    question: str, check: tuple[str, str, str] | None
) -> None:
    assert SpacyTense().read(question).name_check == check


def test_a_past_period_is_answered_by_the_holder_of_the_office_asked_about(
    reader: TitleReader, real_embedder: object
) -> None:
    snap, sentences = _one_article(
        "Valdorian Foreign Minister Peter Holm said Tuesday that 500 people were evacuated. "
        "More than 1,000 soldiers were sent to the valleys, Prime Minister Arno Kesk said.",
        "2024-01-02",
    )
    q = analyze("Who was Valdoria's prime minister when the floods struck in January 2024?")
    assert q.frame == "past"
    evidence = _evidence(q, sentences, 0.64, period=1.0)
    office = SpacyTense().read(q.text).office
    assert office == "prime minister"
    # the foreign minister's title carries the question's place and is as close to it as
    # the bare "Prime Minister"; his office is not the one asked about
    by_office, plain = _with_and_without_office(reader, real_embedder, snap, q, evidence, office)
    assert by_office.holder is not None and by_office.holder.text == "Arno Kesk", by_office.text
    assert plain.holder is not None and plain.holder.text == "Peter Holm", plain.text


def _with_and_without_office(
    reader: TitleReader, embedder: object, snap: Snapshot, q: QuestionInfo,
    evidence: list[Evidence], office: str,
) -> tuple[Composed, Composed]:  # fmt: skip
    """The answer composed with the office the question asks about, and without it (both
    reading the titles' places, as for a question naming one)."""
    asked = embedder.embed([office])[0]  # type: ignore[attr-defined]
    policy = Policy(threshold=0.46)
    by_office = compose(snap, q, evidence, [], policy,
                        holds=_holds(reader, embedder, q.text, True, asked))  # fmt: skip
    plain = compose(snap, q, evidence, [], policy, holds=_holds(reader, embedder, q.text, True))
    return by_office, plain


def test_every_titled_name_of_a_sentence_is_offered_closest_first(
    reader: TitleReader, real_embedder: object
) -> None:
    texts = ["Labour Minister Peter Holm and Prime Minister Arno Kesk visited the harbour."]
    embed = real_embedder.embed  # type: ignore[attr-defined]
    qvec = embed(["Who is the prime minister?"])[0]
    (roles,) = role_scores(qvec, texts, EntityTagger().tag(texts), _person, embed, reader)
    assert [r.entity.text for r in roles if r.entity] == ["Arno Kesk", "Peter Holm"]
    assert roles[0].sim > roles[1].sim
    assert best(roles) is roles[0] and best(()) == Role(0.0, None)


def test_a_close_title_vouches_for_a_sentence_sharing_no_word_with_the_question(
    reader: TitleReader, real_embedder: object
) -> None:
    snap, sentences = _one_article(
        "Pope Clement XV took to social media on Wednesday and called for prayers after the storm.",
        "2025-10-29",
    )
    # present tense: the assistant's tense reader frames it so (qa/timeframe.py)
    q = replace(analyze("Who heads the Roman Catholic Church?"), frame="present")
    # no word of the question, a low cosine: on its own the sentence is not on topic
    evidence = _evidence(q, sentences, 0.5, dense=0.3, lexical=0.0)
    plain = compose(snap, q, evidence, [], Policy(threshold=0.46))
    assert plain.abstained and "anything about it" in plain.text
    titled = compose(snap, q, evidence, [], Policy(threshold=0.46),
                     holds=_holds(reader, real_embedder, q.text))  # fmt: skip
    assert not titled.abstained, titled.text
    assert titled.holder is not None and titled.holder.text == "Clement XV"


def test_a_title_fitting_the_office_asked_about_vouches_for_its_sentence(
    reader: TitleReader, real_embedder: object
) -> None:
    snap, sentences = _one_article(
        "King Henry IX said in a statement that he was shocked by the attack. "
        "British Prime Minister Arno Kesk called the attack appalling.",
        "2025-11-02",
    )
    q = replace(analyze("Who is the monarch of the United Kingdom?"), frame="present")
    office = SpacyTense().read(q.text).office
    assert office == "monarch"
    # the king's sentence shares no word with the question, and "King" is a little further
    # from the whole question than the prime minister's title, which carries its place
    evidence = _evidence(q, sentences, 0.5, dense=0.3, lexical=0.0)
    by_office, plain = _with_and_without_office(reader, real_embedder, snap, q, evidence, office)
    assert by_office.holder is not None and by_office.holder.text == "Henry IX", by_office.text
    assert plain.holder is not None and plain.holder.text == "Arno Kesk", plain.text


def test_a_name_ner_mislabels_holds_the_office_its_title_names(
    reader: TitleReader, real_embedder: object
) -> None:
    question = "Who is the chancellor of Valdoria?"
    office = SpacyTense().read(question).office
    assert office is not None
    embed = real_embedder.embed  # type: ignore[attr-defined]
    qvec, asked = embed([question, office])
    texts = [
        "Opposition parties on Thursday urged Chancellor Lina Maar to call an election.",
        "The budget was drafted by Finance Minister Arno Kesk in March.",
        "Shares of the carmaker Orvex fell after the vote.",
    ]
    # as spaCy's small NER reads such names: a titled person as an organisation
    entities = [
        [Entity(n, "ORG", t.index(n), t.index(n) + len(n))]
        for t, n in zip(texts, ("Lina Maar", "Arno Kesk", "Orvex"), strict=True)
    ]

    def person(e: Entity) -> bool:
        return e.label == "PERSON"

    def as_person(e: Entity) -> str | None:
        return "PERSON" if e.label == "ORG" else None

    plain = role_scores(qvec, texts, entities, person, embed, reader, True, asked)
    assert plain == [(), (), ()]  # no PERSON: no holder
    held, minister, firm = role_scores(
        qvec, texts, entities, person, embed, reader, True, asked, as_person
    )
    assert [(r.entity.text, r.entity.label) for r in held if r.entity] == [("Lina Maar", "PERSON")]
    assert held[0].fit >= 0.8
    assert minister == ()  # a title, but another office than the asked one
    assert firm == ()  # no capitalised title right before it: not even parsed
