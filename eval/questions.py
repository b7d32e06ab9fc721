"""The evaluation question set: load ``eval/questions.jsonl`` and check it against the corpus.

One JSON object per line::

    {"id": "sf-08", "question": "Where did ... prisoner swap?", "answers": ["Qatar"],
     "articles": ["001_x"], "category": "single-fact",
     "evidence": [{"article": "001_x",
                   "text": "Last year, the two countries launched secret negotiations ..."}]}

Fields:

- ``answers``: accepted short aliases of the one right answer (any of them counts).
- ``articles``: gold article ids (file stems); ``evidence``: whole sentences copied verbatim
  from the cleaned article body, each naming its article.
- ``as_of``: ISO date (``2019``, ``2019-08``, ``2019-08-21``) the question is asked at; absent
  on a temporal question means "now": the newest article governs.
- ``stale_answers``: aliases of a value that was true at another time than ``as_of`` (an older
  article's value for a "now" question). An answer naming one of these but none of
  ``answers`` is stale; see :func:`eval.metrics.is_stale_answer`.
- ``comment_evidence``: for ``comment-only`` questions, the verbatim span of the reader
  comment that is the only support. The system must not state it as fact.
- ``note``: free text for the reader of a report (why the answer is what it is).

What each category expects from the system:

- ``single-fact``, ``multi-article``, ``temporal``: an answer containing one of ``answers``,
  citing the gold articles (multi-article evidence spans two or more articles).
- ``unanswerable-on-topic``, ``unanswerable-off-topic``: abstain; ``answers`` and ``articles``
  are empty.
- ``false-premise``: do not accept the premise; ``answers`` hold the correction where the
  articles give one (else empty: abstaining or rejecting the premise is right). Naming the
  correction is necessary, not sufficient: a report should also check the answer does not
  repeat the premise's wrong name, place or date.
- ``comment-only``: abstain or say that only a reader comment claims it; never state it as
  fact. ``answers`` is empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, NoReturn, cast, get_args

from index.config import IndexSettings
from index.errors import UserError
from index.ingest import load_corpus

__all__ = [
    "ANSWERABLE_CATEGORIES",
    "CATEGORIES",
    "DEFAULT_QUESTIONS",
    "Category",
    "Evidence",
    "Question",
    "QuestionsError",
    "load_questions",
]

Category = Literal[
    "single-fact",
    "multi-article",
    "temporal",
    "unanswerable-on-topic",
    "unanswerable-off-topic",
    "false-premise",
    "comment-only",
]
CATEGORIES: tuple[str, ...] = get_args(Category)
ANSWERABLE_CATEGORIES: frozenset[str] = frozenset({"single-fact", "multi-article", "temporal"})
"""Categories whose questions have an answer in the article bodies."""

DEFAULT_QUESTIONS = Path(__file__).with_name("questions.jsonl")

_REQUIRED = ("id", "question", "answers", "articles", "evidence", "category")
_OPTIONAL = ("as_of", "stale_answers", "comment_evidence", "note")
Fail = Callable[[str], NoReturn]
_AS_OF_RE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


class QuestionsError(UserError):
    """The question file is malformed or does not match the corpus."""


@dataclass(frozen=True)
class Evidence:
    """A verbatim span of one article (its body, or its comments for ``comment_evidence``)."""

    article: str
    text: str


@dataclass(frozen=True)
class Question:
    """One evaluation question; see the module docstring for what each field means."""

    id: str
    question: str
    category: Category
    answers: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    as_of: str | None = None
    stale_answers: tuple[str, ...] = ()
    comment_evidence: tuple[Evidence, ...] = ()
    note: str = ""

    @property
    def answerable(self) -> bool:
        """True when the article bodies answer it (a false premise with a correction counts)."""
        return self.category in ANSWERABLE_CATEGORIES or (
            self.category == "false-premise" and bool(self.answers)
        )

    @property
    def expects_abstention(self) -> bool:
        """True when declining is right: unanswerable, comment-only, a bare false premise.

        >>> Question("x", "Capital of Peru?", "unanswerable-off-topic").expects_abstention
        True
        """
        return not self.answerable


def _squash(text: str) -> str:
    """Whitespace runs as one space, so a line break in the article still matches."""
    return " ".join(text.split())


def _corpus_texts(corpus_dir: Path, settings: IndexSettings) -> dict[str, tuple[str, str]]:
    """``{article id: (body, comments_text)}`` of the cleaned corpus, whitespace-squashed."""
    corpus = load_corpus(corpus_dir, settings)
    texts = {a.id: (_squash(a.body), _squash(a.comments_text)) for a in corpus.articles}
    for kept, dropped in corpus.duplicates:
        texts.setdefault(dropped, texts[kept])
    return texts


def _str_list(obj: dict[str, Any], key: str, fail: Fail) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        fail(f"'{key}' must be a list of non-empty strings")
    return tuple(cast(list[str], value))


def _evidence_list(obj: dict[str, Any], key: str, fail: Fail) -> tuple[Evidence, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        fail(f'\'{key}\' must be a list of {{"article": ..., "text": ...}} objects')
    out = []
    for i, item in enumerate(value, 1):
        if (
            not isinstance(item, dict)
            or set(item) != {"article", "text"}
            or not all(isinstance(item[k], str) and item[k].strip() for k in ("article", "text"))
        ):
            fail(f'{key} {i} must be {{"article": <id>, "text": <verbatim span>}}')
        out.append(Evidence(article=item["article"], text=item["text"]))
    return tuple(out)


def _check_as_of(value: Any, fail: Fail) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _AS_OF_RE.fullmatch(value):
        fail(f"'as_of' must be an ISO date like 2019, 2019-08 or 2019-08-21, got {value!r}")
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        date(parts[0], parts[1], parts[2])
    except ValueError:
        fail(f"'as_of' {value!r} is not a real date")
    return value


def _parse(obj: Any, fail: Fail, corpus: Mapping[str, tuple[str, str]]) -> Question:
    if not isinstance(obj, dict):
        fail("each line must be a JSON object")
    missing = [k for k in _REQUIRED if k not in obj]
    if missing:
        fail(f"missing field(s) {', '.join(missing)}")
    unknown = sorted(set(obj) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        fail(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(_REQUIRED + _OPTIONAL)}")
    for key in ("id", "question", "category"):
        if not isinstance(obj[key], str) or not obj[key].strip():
            fail(f"'{key}' must be a non-empty string")
    category = obj["category"]
    if category not in CATEGORIES:
        fail(f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
    note = obj.get("note", "")
    if not isinstance(note, str):
        fail("'note' must be a string")
    q = Question(
        id=obj["id"],
        question=obj["question"],
        category=category,
        answers=_str_list(obj, "answers", fail),
        articles=_str_list(obj, "articles", fail),
        evidence=_evidence_list(obj, "evidence", fail),
        as_of=_check_as_of(obj.get("as_of"), fail),
        stale_answers=_str_list(obj, "stale_answers", fail),
        comment_evidence=_evidence_list(obj, "comment_evidence", fail),
        note=note,
    )
    for aid in q.articles + tuple(e.article for e in q.evidence + q.comment_evidence):
        if aid not in corpus:
            fail(f"unknown article {aid!r}: no such file stem in the corpus")
    for i, ev in enumerate(q.evidence, 1):
        if ev.article not in q.articles:
            fail(f"evidence {i} cites {ev.article!r}, which is not listed in 'articles'")
        if _squash(ev.text) not in corpus[ev.article][0]:
            fail(
                f"evidence {i} is not verbatim in the body of {ev.article}: {ev.text[:80]!r}; "
                "copy whole sentences from the cleaned article text"
            )
    for i, ev in enumerate(q.comment_evidence, 1):
        if _squash(ev.text) not in corpus[ev.article][1]:
            fail(
                f"comment_evidence {i} is not verbatim in the reader comments of "
                f"{ev.article}: {ev.text[:80]!r}"
            )
    _check_shape(q, fail)
    return q


def _check_shape(q: Question, fail: Fail) -> None:
    """What each category must and must not carry."""
    cited = {e.article for e in q.evidence}
    if q.category in ANSWERABLE_CATEGORIES:
        if not (q.answers and q.articles and q.evidence):
            fail(f"a {q.category} question needs answers, articles and evidence")
        if cited != set(q.articles):
            fail("every gold article needs evidence, and evidence only from gold articles")
    if q.category == "multi-article" and len(cited) < 2:
        fail("a multi-article question needs evidence from at least two articles")
    if q.category.startswith("unanswerable") and (q.answers or q.articles or q.evidence):
        fail(f"a {q.category} question has no answers, articles or evidence")
    if q.category == "false-premise" and bool(q.answers) != bool(q.evidence):
        fail("a false-premise correction needs evidence (or leave both answers and evidence empty)")
    if q.category == "comment-only":
        if q.answers or not q.comment_evidence:
            fail("a comment-only question has no answers and needs comment_evidence")
    elif q.comment_evidence:
        fail("comment_evidence is only for comment-only questions")


def load_questions(
    path: Path | str = DEFAULT_QUESTIONS,
    corpus_dir: Path | str | None = None,
    settings: IndexSettings | None = None,
) -> list[Question]:
    """Read and validate a question file against the cleaned corpus in ``corpus_dir``.

    ``corpus_dir`` defaults to ``settings.corpus_dir`` (``seeds/``). Raises
    :class:`QuestionsError` naming the line and the problem: a missing field, an unknown
    category, a duplicate id, an article id with no file, evidence not verbatim in its article.
    """
    path = Path(path)
    settings = settings or IndexSettings()
    corpus_dir = Path(corpus_dir) if corpus_dir is not None else settings.corpus_dir
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise QuestionsError(f"Cannot read question file {path}: {e.strerror}") from None
    corpus = _corpus_texts(corpus_dir, settings)
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue

        def fail(problem: str, lineno: int = lineno) -> NoReturn:
            raise QuestionsError(f"{path} line {lineno}: {problem}")

        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f"not valid JSON ({e.msg} at column {e.colno})")
        q = _parse(obj, fail, corpus)
        if q.id in seen:
            fail(f"duplicate id {q.id!r} (first used on line {seen[q.id]})")
        seen[q.id] = lineno
        questions.append(q)
    if not questions:
        raise QuestionsError(f"{path} holds no questions")
    return questions
