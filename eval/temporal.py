"""``qa eval --temporal``: facts that changed over time, asked in several phrasings.

``eval/temporal.jsonl`` holds, one fact a line, facts that changed between 2022 and 2025 in
the realtimeqa pages (who leads a government, holds a title, runs a company, what state
something is in): each *state* (the holder, its date, the pages that state it, the sentence)
and questions in five phrasings, written before the code that answers them:

* ``present``: present tense, no time word ("Who is the prime minister of the UK?");
* ``now`` / ``currently``: the same with "now" / "currently";
* ``synonym``: present tense with another verb ("Who leads the British government?");
* ``past``: past tense anchored to a period that holds an older state ("... in August 2022?").

The corpus pools the pages of every state of every fact, written as Markdown with their
verified dates in the front matter (this run measures reasoning about time, not date
extraction). Each question is asked through the product and graded:

* a present-time question is right when its lead sentence (citation [1]) names the newest
  state and comes from one of that state's pages or a page at least as new;
* a past-anchored question is right when its lead sentence names the expected state and
  comes from a page older than the next state that differs;
* ``named``: the lead sentence names the expected answer, whatever page it comes from (a
  present-time answer from an older page that already names the newest holder is named but
  not right);
* ``timeline``: a present-time answer also quotes, under the lead, an older page naming an
  older state (the history one line below);
* ``stale``: a present-time answer whose lead names an older state;
* ``short``: the short answer (the bold line a reader sees first) names the expected answer.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.realtimeqa import data as d
from index.errors import UserError

if TYPE_CHECKING:
    from qa.assistant import Assistant
    from qa.settings import Settings
    from qa.types import Answer

TEMPORAL = Path(__file__).with_name("temporal.jsonl")
KINDS = ("present", "now", "currently", "synonym", "past")
PRESENT_KINDS = frozenset(KINDS) - {"past"}

__all__ = ["KINDS", "TEMPORAL", "Fact", "grade", "load_facts", "run_temporal", "summarize"]


@dataclass(frozen=True)
class State:
    answer: str
    date: str  # ISO YYYY-MM-DD, verified against the page text
    pages: tuple[str, ...]
    quote: str


@dataclass(frozen=True)
class Question:
    kind: str
    question: str
    answer: str


@dataclass(frozen=True)
class Fact:
    fact: str
    topic: str
    states: tuple[State, ...]  # oldest first
    questions: tuple[Question, ...]

    @property
    def newest(self) -> State:
        return self.states[-1]

    def page_dates(self) -> dict[str, str]:
        return {p: s.date for s in self.states for p in s.pages}


def load_facts(path: Path = TEMPORAL) -> list[Fact]:
    """The facts of ``path``; a missing or malformed file is one line naming what to fix."""
    if not path.is_file():
        raise UserError(f"No temporal question file at {path}: give one with --questions.")
    facts = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            states = tuple(
                State(str(s["answer"]), str(s["date"]), tuple(s["pages"]), str(s.get("quote", "")))
                for s in row["states"]
            )
            questions = tuple(
                Question(str(q["kind"]), str(q["question"]), str(q["answer"]))
                for q in row["questions"]
            )
            fact = Fact(str(row["fact"]), str(row.get("topic", row["fact"])), states, questions)
        except (ValueError, KeyError, TypeError) as e:
            raise UserError(
                f"{path}:{n} is not a temporal fact ({e.__class__.__name__}: {e})."
            ) from None
        bad = sorted({q.kind for q in questions} - set(KINDS))
        if bad or len(states) < 2 or [s.date for s in states] != sorted(s.date for s in states):
            raise UserError(
                f"{path}:{n} ({fact.fact}): needs two or more states, oldest first, and "
                f"question kinds among {', '.join(KINDS)}"
                + (f" (not {', '.join(bad)})" if bad else "")
            )
        facts.append(fact)
    return facts


def corpus_pages(facts: Sequence[Fact], pages: Mapping[str, d.Page]) -> list[d.Page]:
    """The pages of every state, dated as verified in the file (not as the scraper said)."""
    out: dict[str, d.Page] = {}
    for fact in facts:
        for pid, when in fact.page_dates().items():
            if pid not in pages:
                raise UserError(f"Fact {fact.fact!r} names page {pid}, which the data lacks.")
            p = pages[pid]
            out[pid] = d.Page(p.id, p.url, p.title, when.replace("-", "/"), p.text)
    return list(out.values())


def _has(text: str, answer: str) -> bool:
    return d.contains_answer(d.fold(text), answer)


def grade(
    fact: Fact, q: Question, answer: Answer, dates: Mapping[str, str | None]
) -> dict[str, Any]:
    """One answer's record (see the module doc); ``dates``: every article's ISO date."""
    rec: dict[str, Any] = {"fact": fact.fact, "kind": q.kind, "question": q.question,
                           "expected": q.answer, "answer": answer.text}  # fmt: skip
    cites = [c for c in answer.citations if c.kind == "body"]
    lead = cites[0] if cites and not answer.abstained else None
    lead_page = d.page_id(lead.article_id) if lead else None
    lead_date = dates.get(lead.article_id) if lead else None
    rec.update(lead_page=lead_page, lead_date=lead_date, abstained=answer.abstained)
    named = lead is not None and _has(lead.quote, q.answer)
    rec["named"] = float(named)
    rec["short"] = float(answer.short is not None and _has(answer.short.text, q.answer))
    if q.kind in PRESENT_KINDS:
        newest = fact.newest
        from_newest = lead_page in newest.pages or (lead_date or "") >= newest.date
        rec["right"] = float(named and from_newest)
        older = {s.answer for s in fact.states[:-1] if not _has(s.answer, newest.answer)}
        rec["stale"] = float(lead is not None and any(_has(lead.quote, o) for o in older))
        rec["timeline"] = float(
            any(
                _has(c.quote, o) and (dates.get(c.article_id) or "9") < newest.date
                for c in cites[1:]
                for o in older
            )
        )
    else:
        later = [s for s in fact.states if s.date > min(
            (s.date for s in fact.states if s.answer == q.answer), default="9")]  # fmt: skip
        nxt = next((s.date for s in later if not _has(s.answer, q.answer)), "9999")
        rec["right"] = float(named and (lead_date or "") < nxt and lead_date is not None)
    return rec


_MEASURES = ("right", "named", "short")


def summarize(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Right, named and short answers per phrasing kind and for all present-time ones;
    timelines and stale leads."""

    def mean(rows: Sequence[Mapping[str, Any]], key: str) -> float | None:
        vals = [float(r[key]) for r in rows if key in r]
        return round(statistics.fmean(vals), 3) if vals else None

    present = [r for r in records if r["kind"] in PRESENT_KINDS]
    out: dict[str, Any] = {"questions": len(records), "facts": len({r["fact"] for r in records})}
    for kind in KINDS:
        rows = [r for r in records if r["kind"] == kind]
        out[kind] = {"n": len(rows), **{k: mean(rows, k) for k in _MEASURES}}
    out["present_all"] = {"n": len(present), **{k: mean(present, k) for k in _MEASURES}}
    out["timeline"] = mean(present, "timeline")
    out["stale"] = mean(present, "stale")
    return out


def table(summary: Mapping[str, Any]) -> str:
    lines = ["| phrasing | n | right | named | short |", "|---|---|---|---|---|"]
    for kind in (*KINDS, "present_all"):
        row = summary[kind]
        cells = ["—" if row.get(k) is None else f"{row[k]:.3f}" for k in _MEASURES]
        lines.append(f"| {kind} | {row['n']} | {' | '.join(cells)} |")
    lines.append(f"\ntimeline shown (present-time): {summary['timeline']}; "
                 f"stale lead: {summary['stale']}")  # fmt: skip
    return "\n".join(lines)


def run_temporal(
    settings: Settings,
    questions: Path = TEMPORAL,
    data: Path = d.DEFAULT_DATA,
    work_dir: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Index the facts' pages and grade every phrasing; returns the report."""
    from eval.realtimeqa.run import RtqaConfig, index_pages
    from index.embed import get_embedder

    facts = load_facts(questions)
    ds = d.load_dataset(data)
    pages = corpus_pages(facts, ds.pages)
    work = work_dir or settings.data_dir / "temporal"
    config = RtqaConfig(data=data, page_format="markdown", progress=progress)
    bot, _, info = index_pages(pages, work / "corpus-index", settings, get_embedder(settings),
                               config, "temporal")  # fmt: skip
    records = answer_all(bot, facts)
    return {"kind": "temporal", "data_version": ds.version, "corpus": info,
            "summary": summarize(records), "records": records}  # fmt: skip


def answer_all(bot: Assistant, facts: Sequence[Fact]) -> list[dict[str, Any]]:
    snap = bot.snapshot()
    dates = {aid: a.published for aid, a in snap.articles.items()}
    return [grade(f, q, bot.ask(q.question), dates) for f in facts for q in f.questions]
