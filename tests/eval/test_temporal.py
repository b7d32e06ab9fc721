"""``qa eval --temporal``: the committed fact file and the grading of present and past answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.temporal import KINDS, TEMPORAL, grade, load_facts, summarize
from index.errors import UserError
from qa.types import Answer, Citation, ShortAnswer

FACT = {
    "fact": "mayor",
    "topic": "the mayor",
    "states": [
        {"answer": "Ortega", "date": "2022-05-01", "pages": ["rt_old"], "quote": "Mayor Ortega"},
        {"answer": "Paz", "date": "2024-02-01", "pages": ["rt_new"], "quote": "Mayor Paz"},
    ],
    "questions": [
        {"kind": "present", "question": "Who is the mayor?", "answer": "Paz"},
        {"kind": "past", "question": "Who was the mayor in 2022?", "answer": "Ortega"},
    ],
}
DATES = {"rt_old": "2022-05-01", "rt_new": "2024-02-01", "rt_newer": "2025-01-01"}


def _cite(n: int, page: str, quote: str) -> Citation:
    return Citation(n, page, "t", DATES[page], quote, 0, len(quote))


def _answer(*cites: Citation) -> Answer:
    return Answer(text=" ".join(c.quote for c in cites), citations=cites)


@pytest.fixture
def fact(tmp_path: Path) -> object:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(FACT) + "\n", encoding="utf-8")
    return load_facts(path)[0]


def test_the_committed_facts_have_every_phrasing_and_ordered_states() -> None:
    facts = load_facts(TEMPORAL)
    assert len(facts) >= 10
    for f in facts:
        assert {q.kind for q in f.questions} == set(KINDS), f.fact
        for q in f.questions:
            expected = f.newest.answer if q.kind != "past" else q.answer
            assert q.answer == expected or q.kind == "past", (f.fact, q.question)
            assert f.newest.answer.lower() not in q.question.lower(), q.question
        assert all(s.answer.lower() in s.quote.lower() for s in f.states), f.fact


def test_a_present_answer_is_right_from_the_newest_page_with_a_timeline(fact: object) -> None:
    present, _ = fact.questions  # type: ignore[attr-defined]
    new, old = _cite(1, "rt_new", "Mayor Paz opened it."), _cite(2, "rt_old", "Mayor Ortega.")
    rec = grade(fact, present, _answer(new, old), DATES)  # type: ignore[arg-type]
    assert (rec["right"], rec["timeline"], rec["stale"]) == (1.0, 1.0, 0.0)
    stale = grade(fact, present, _answer(_cite(1, "rt_old", "Mayor Ortega.")), DATES)  # type: ignore[arg-type]
    assert (stale["right"], stale["stale"], stale["timeline"]) == (0.0, 1.0, 0.0)
    # the right name from an older page than the newest state is not "from the newest page"
    early = grade(fact, present, _answer(_cite(1, "rt_old", "Paz was deputy.")), DATES)  # type: ignore[arg-type]
    assert early["right"] == 0.0


def test_the_short_answer_is_graded_by_the_name_it_gives(fact: object) -> None:
    present, _ = fact.questions  # type: ignore[attr-defined]
    cite = _cite(1, "rt_new", "Mayor Paz met Ortega.")
    right = Answer(text="Paz [1]", citations=(cite,), short=ShortAnswer("Paz", 1, 6, 9, "PERSON"))
    wrong = Answer(text="Ortega [1]", citations=(cite,), short=ShortAnswer("Ortega", 1, 14, 20))
    assert grade(fact, present, right, DATES)["short"] == 1.0  # type: ignore[arg-type]
    assert grade(fact, present, wrong, DATES)["short"] == 0.0  # type: ignore[arg-type]
    assert grade(fact, present, _answer(cite), DATES)["short"] == 0.0  # type: ignore[arg-type]


def test_a_past_answer_is_right_only_from_before_the_next_state(fact: object) -> None:
    _, past = fact.questions  # type: ignore[attr-defined]
    assert grade(fact, past, _answer(_cite(1, "rt_old", "Mayor Ortega.")), DATES)["right"] == 1.0  # type: ignore[arg-type]
    late = _answer(_cite(1, "rt_newer", "Ortega, the former mayor."))
    assert grade(fact, past, late, DATES)["right"] == 0.0  # type: ignore[arg-type]
    refused = Answer(text="The articles don't say.", abstained=True)
    assert grade(fact, past, refused, DATES)["right"] == 0.0  # type: ignore[arg-type]


def test_summary_counts_every_kind() -> None:
    recs = [{"fact": "f", "kind": "present", "right": 1.0, "timeline": 0.0, "stale": 0.0},
            {"fact": "f", "kind": "past", "right": 0.0}]  # fmt: skip
    s = summarize(recs)
    assert s["present"]["right"] == 1.0 and s["past"]["right"] == 0.0
    assert s["now"] == {"n": 0, "right": None, "named": None, "short": None}
    assert s["timeline"] == 0.0


def test_a_malformed_fact_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({**FACT, "states": FACT["states"][::-1]}) + "\n{oops\n")
    with pytest.raises(UserError, match=r"bad\.jsonl:1"):
        load_facts(path)
    with pytest.raises(UserError, match="No temporal question file"):
        load_facts(tmp_path / "missing.jsonl")
