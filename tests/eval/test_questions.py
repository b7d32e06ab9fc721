"""The question set loads, is varied enough, and the loader refuses broken files clearly."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.questions import CATEGORIES, DEFAULT_QUESTIONS, Question, QuestionsError, load_questions
from index.config import IndexSettings
from index.ingest import load_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
KERRY = (
    "CARACAS, Venezuela — After months of tensions between the United States and Venezuela, "
    "Secretary of State John Kerry met on Wednesday with the Venezuelan foreign minister, "
    "Elías Jaua, in Antigua, Guatemala, and announced the start of talks aimed at improving "
    "relations between the two countries."
)
A000 = "000_236f50c297870894"


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions(DEFAULT_QUESTIONS, SEEDS)


def test_the_question_set_covers_every_category(questions: list[Question]) -> None:
    counts = Counter(q.category for q in questions)
    assert len(questions) >= 70
    assert set(counts) == set(CATEGORIES)
    assert min(counts.values()) >= 6
    assert counts["single-fact"] >= 10


def test_gold_evidence_is_verbatim_in_the_cleaned_articles(questions: list[Question]) -> None:
    articles = {a.id: a for a in load_corpus(SEEDS, IndexSettings()).articles}
    for q in questions:
        for ev in q.evidence:
            assert ev.text in articles[ev.article].body, q.id
        for ev in q.comment_evidence:
            assert ev.text in articles[ev.article].comments_text, q.id
            assert ev.text not in articles[ev.article].body, q.id


def test_question_shapes_match_their_category(questions: list[Question]) -> None:
    for q in questions:
        if q.category == "multi-article":
            assert len({e.article for e in q.evidence}) >= 2, q.id
        if q.category in ("unanswerable-on-topic", "unanswerable-off-topic", "comment-only"):
            assert q.expects_abstention and not q.answers, q.id
        if q.category in ("single-fact", "multi-article", "temporal"):
            assert q.answerable and q.answers and q.evidence, q.id
    temporal = [q for q in questions if q.category == "temporal"]
    assert sum(q.as_of is not None for q in temporal) >= 3
    assert sum(bool(q.stale_answers) for q in temporal) >= 3


def test_the_newest_leader_question_expects_the_interim_president(
    questions: list[Question],
) -> None:
    now = [q for q in questions if q.category == "temporal" and "Delcy Rodriguez" in q.answers]
    assert now and all("Maduro" in q.stale_answers for q in now)


def _line(**overrides: object) -> str:
    base: dict[str, object] = {
        "id": "q1",
        "question": "Where did Kerry meet Jaua?",
        "answers": ["Antigua"],
        "articles": [A000],
        "evidence": [{"article": A000, "text": KERRY}],
        "category": "single-fact",
    }
    base.update(overrides)
    return json.dumps({k: v for k, v in base.items() if v is not None}, ensure_ascii=False)


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, _line(), _line(id="q2", as_of="2013-06"))
    qs = load_questions(path, SEEDS)
    assert [q.id for q in qs] == ["q1", "q2"]
    assert qs[1].as_of == "2013-06" and qs[0].evidence[0].article == A000


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (_line(answers=None), "line 2: missing field(s) answers"),
        (_line(evidence=[{"article": A000, "text": "Kerry met Jaua in Havana."}]), "not verbatim"),
        (_line(articles=["999_nope"], evidence=[]), "unknown article '999_nope'"),
        (_line(category="trivia"), "unknown category 'trivia'"),
        (_line(id="q0"), "duplicate id 'q0'"),
        ("{not json", "line 2: not valid JSON"),
        (_line(as_of="2019-13-01"), "not a real date"),
        (_line(asof="2019"), "unknown field(s) asof"),
        (_line(category="unanswerable-on-topic"), "has no answers, articles or evidence"),
        (_line(category="multi-article"), "at least two articles"),
        (_line(category="comment-only", answers=[]), "comment-only question has no answers"),
    ],
)
def test_a_bad_line_is_refused_naming_the_line(tmp_path: Path, bad: str, message: str) -> None:
    path = _write(tmp_path, _line(id="q0"), bad)
    with pytest.raises(QuestionsError) as err:
        load_questions(path, SEEDS)
    assert "line 2" in str(err.value)
    assert message in str(err.value)


def test_comment_evidence_must_come_from_the_comments(tmp_path: Path) -> None:
    a002 = "002_483955d933227d2d"
    body_sentence = "It said the move was guided by"
    line = _line(
        category="comment-only",
        answers=[],
        articles=[],
        evidence=[],
        comment_evidence=[{"article": a002, "text": body_sentence}],
    )
    with pytest.raises(QuestionsError, match="not verbatim in the reader comments"):
        load_questions(_write(tmp_path, line), SEEDS)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionsError, match="Cannot read question file"):
        load_questions(tmp_path / "nope.jsonl", SEEDS)
