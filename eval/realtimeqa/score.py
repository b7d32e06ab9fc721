"""Scoring rules of the realtimeqa benchmark (as its README says), as pure functions.

Questions are asked open-ended, without their four choices. On an answer's text (citation
markers removed), with case, accents and punctuation folded:

- **right**: the correct choice's text occurs in it, as whole words;
- **strict**: right, and no other choice is named (outside the correct choice's own words);
- **exact match**: the short answer, when the answer carries one, equals the correct choice;
- **rejection** (negatives): the system abstained; **false refusal** (positives): it did.

    >>> q = RtQuestion("1", "w", "", "Who won?", ("Ann Lee", "Bob", "Lee", "Cy"), "Ann Lee",
    ...                True, ())
    >>> right("It was Ann Lee [1].", q), strict("It was Ann Lee [1].", q)
    (True, True)
    >>> right("Ann Lee, Bob or Cy.", q), strict("Ann Lee, Bob or Cy.", q)
    (True, False)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from eval import metrics as m
from eval.realtimeqa.data import RtQuestion
from eval.run import plain_answer
from eval.systems import Output

__all__ = [
    "ERROR_CLASSES",
    "QWORDS",
    "error_class",
    "exact",
    "grade",
    "qword",
    "right",
    "strict",
    "summarize",
]

QWORDS = ("who", "what", "which", "where", "when", "how many", "other")
_WH = {"who": "who", "whom": "who", "whose": "who", "what": "what", "which": "which"}
_WH |= {"where": "where", "when": "when"}
_TOKEN_RE = re.compile(r"[a-z]+")


def _folded(text: str) -> str:
    return f" {m.normalize_answer(text)} "


def right(answer: str, q: RtQuestion) -> bool:
    """The correct choice's text is in the answer (folded, whole words)."""
    needle = m.normalize_answer(q.answer)
    return bool(needle) and f" {needle} " in _folded(plain_answer(answer))


def strict(answer: str, q: RtQuestion) -> bool:
    """Right, and no other choice named once the correct choice's words are taken out.

    >>> q = RtQuestion("1", "w", "", "?", ("Joe Biden", "Biden Jr", "Ann"), "Joe Biden", True, ())
    >>> strict("Joe Biden won.", q), strict("Joe Biden and Ann.", q)
    (True, False)
    """
    if not right(answer, q):
        return False
    text = _folded(plain_answer(answer)).replace(f" {m.normalize_answer(q.answer)} ", " | ")
    return not any((needle := m.normalize_answer(c)) and f" {needle} " in text for c in q.others)


def exact(short: str | None, q: RtQuestion) -> float | None:
    """Exact match of the short answer (None when the answer carries none).

    >>> q = RtQuestion("1", "w", "", "?", ("The Pope",), "Pope", True, ())
    >>> exact("the pope.", q), exact(None, q)
    (1.0, None)
    """
    if short is None:
        return None
    return float(m.normalize_answer(short) == m.normalize_answer(q.answer))


def qword(question: str) -> str:
    """The question word: the first of who/what/which/where/when/how many in it, else other.

    >>> [qword(x) for x in ("In which city?", "How many died?", "How much?", "Name it.")]
    ['which', 'how many', 'other', 'other']
    """
    tokens = _TOKEN_RE.findall(question.lower())
    for i, tok in enumerate(tokens):
        if tok in _WH:
            return _WH[tok]
        if tok == "how":
            return "how many" if tokens[i + 1 : i + 2] == ["many"] else "other"
    return "other"


def grade(
    q: RtQuestion,
    out: Output,
    gold: set[str],
    positive: bool,
    short: str | None = None,
    gives_short: bool = False,
) -> dict[str, Any]:
    """Everything measured about one answer, JSON-ready (None = does not apply).

    ``gives_short``: the system gives short answers at all; then exact match is measured
    over every positive (an answer without a short one, or a refusal, scores 0).
    """
    a = out.answer
    answered = not a.abstained
    cited = list(dict.fromkeys(c.article_id for c in a.citations))
    ranked = [r.article_id for r in out.retrieved]
    rec: dict[str, Any] = {
        "id": q.id,
        "week": q.week,
        "positive": positive,
        "qword": qword(q.question),
        "question": q.question,
        "gold_answer": q.answer,
        "answer": a.text,
        "short": short,
        "abstained": a.abstained,
        "confidence": a.confidence,
        "cited": cited,
        "retrieved": list(dict.fromkeys(ranked))[:10],
        "gold_pages": sorted(gold),
        "timings_ms": {k: round(v, 2) for k, v in a.timings_ms.items()},
        "answer_words": len(plain_answer(a.text).split()) if answered else 0,
    }
    if positive:
        rec.update(
            accuracy=float(answered and right(a.text, q)),
            strict=float(answered and strict(a.text, q)),
            em=(float(answered and exact(short, q) == 1.0) if gives_short else None),
            refused=float(a.abstained),
        )
        if gold:
            rec.update(
                gold_cited=float(bool(set(cited) & gold)),
                **{"hit@5": m.hit_at_k(ranked, gold, 5)},
                **{f"recall@{k}": m.recall_at_k(ranked, gold, k) for k in (5, 10)},
            )
    else:
        rec["rejected"] = float(a.abstained)
    rec["error"] = error_class(rec)
    return rec


ERROR_CLASSES = (
    "refused, gold page retrieved",
    "refused, gold page not retrieved",
    "answered from the gold page, without the answer",
    "answered from another page, gold page retrieved",
    "answered from another page, gold page not retrieved",
    "right, but other choices named too",
    "answered an unanswerable question",
)


def error_class(rec: Mapping[str, Any]) -> str | None:
    """What went wrong with one graded answer (None when nothing did).

    "Retrieved" means among the pages the system surfaced (its top 10); a positive without
    a gold page (the answer is in no page under our folding) counts as not retrieved.
    """
    gold = set(rec["gold_pages"])
    found = bool(gold & set(rec["retrieved"]))
    if not rec["positive"]:
        return None if rec["rejected"] else ERROR_CLASSES[6]
    if rec["abstained"]:
        return ERROR_CLASSES[0] if found else ERROR_CLASSES[1]
    if rec["strict"]:
        return None
    if rec["accuracy"]:
        return ERROR_CLASSES[5]
    if gold & set(rec["cited"]):
        return ERROR_CLASSES[2]
    return ERROR_CLASSES[3] if found else ERROR_CLASSES[4]


_MEANS: tuple[str, ...] = ("accuracy", "strict", "em", "rejected", "refused", "gold_cited")
_MEANS += ("hit@5", "recall@5", "recall@10")
_RENAME = {"rejected": "rejection", "refused": "false_refusal"}


def _mean(records: Sequence[Mapping[str, Any]], key: str) -> float | None:
    values = [float(r[key]) for r in records if r.get(key) is not None]
    return sum(values) / len(values) if values else None


def summarize(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Means over the questions each metric covers, answer length, latency by stage, and
    the breakdowns by question word and by error class.

    >>> s = summarize([{"positive": True, "accuracy": 1.0, "qword": "who", "error": None},
    ...                {"positive": False, "rejected": 0.0, "qword": "who", "error": "x"}])
    >>> s["accuracy"], s["rejection"], s["errors"]
    (1.0, 0.0, {'x': 1})
    """
    pos = [r for r in records if r.get("positive")]
    out: dict[str, Any] = {"n_positive": len(pos), "n_negative": len(records) - len(pos)}
    for key in _MEANS:
        out[_RENAME.get(key, key)] = _mean(records, key)
    words = [r["answer_words"] for r in records if not r.get("abstained") and "answer_words" in r]
    out["answer_words"] = sum(words) / len(words) if words else None
    stages = sorted({s for r in records for s in r.get("timings_ms", {})})
    for stage in stages:
        values = [r["timings_ms"][stage] for r in records if stage in r.get("timings_ms", {})]
        name = "latency" if stage == "total" else f"latency_{stage}"
        out[f"{name}_p50_ms"] = m.percentile(values, 50)
        out[f"{name}_p95_ms"] = m.percentile(values, 95)
    out["by_qword"] = {
        w: {
            "n_positive": sum(1 for r in pos if r["qword"] == w),
            "accuracy": _mean([r for r in pos if r["qword"] == w], "accuracy"),
            "strict": _mean([r for r in pos if r["qword"] == w], "strict"),
            "rejection": _mean(
                [r for r in records if not r.get("positive") and r["qword"] == w], "rejected"
            ),
        }
        for w in QWORDS
    }
    errors = Counter(r["error"] for r in records if r.get("error"))
    out["errors"] = dict(errors.most_common())
    return out
