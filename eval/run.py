"""The benchmark runner behind ``qa eval``: every system, every question, every metric.

One run builds its own index of the corpus in a temporary folder, loads one embedder and
shares it across the systems (see :mod:`eval.systems`), grades each answer, and averages.
``--distractors`` repeats the run with 300 ABC news articles added to the index.

How an answer is graded (per question, then averaged over the questions each metric covers):

- Retrieval, over gold articles and over gold evidence sentences, on the ranked items a
  system surfaced (questions with gold articles only): an item "contains" an evidence
  sentence when it comes from the evidence's article and the sentence lies within its text.
- ``accuracy`` / ``em`` / ``f1`` / ``gold_cited``: on the answerable categories (single-fact,
  multi-article, temporal); an abstention scores 0. ``false_refusal`` is the share of those
  declined. ``rejection`` is the share of unanswerable questions (on- and off-topic) declined.
- ``false_premise_handled``: abstained, or gave the correction without repeating the
  premise. The premise's words are the names and numbers of the question that no gold
  article contains ("Havana" when the meeting was in Antigua); a premise carried by a verb
  ("lift", "deny") is not detected that way, so there only the correction is checked.
- ``comment_only_handled``: abstained, or cites only reader comments and says so.
- ``citation_recall`` / ``citation_precision`` (ALCE, macro over answers that were given):
  the judge sees each claim, the text up to its ``[n]`` markers, against the cited quotes.
  The product frames its quoted sentences with dates derived from the citation's article
  date ("As of Mar 2026: <sentence> (Tuesday = 20 Aug 2019) [1]", timeline bullets
  "- 10 Jan 2026: <sentence> [2]" under "Earlier reports:", and the reader-comment label);
  that framing is removed before judging (:func:`strip_framing`). Only those exact shapes
  are removed, so a real claim is never hidden from the judge. A computed interval
  ("11 years (2008 → Mar 2019): <sentence> [1] <sentence> [2]") is removed only when its
  number agrees with the two dates it names (checked here, independently of the product);
  the dates themselves must then be supported by the cited sentences.
- ``stale_rate``: questions with an outdated value on record whose answer names it and not
  the current one (:func:`eval.metrics.is_stale_answer`).
- Latency: p50/p95 of the total per question, and of every stage a system times.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from eval import metrics as m
from eval.judge import DEFAULT_PAIRS, SupportJudge, judge_agreement, load_judge_pairs
from eval.questions import ANSWERABLE_CATEGORIES, DEFAULT_QUESTIONS, Question, load_questions
from eval.systems import ABLATIONS, SYSTEMS, ChunkSystem, NaiveSystem, Output, ProductSystem
from index.errors import UserError
from index.types import Article

if TYPE_CHECKING:
    from eval.systems import System
    from index.embed import Embedder
    from qa.assistant import Assistant
    from qa.settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "EvalConfig",
    "calibrate",
    "check_floors",
    "distractor_articles",
    "grade",
    "run_eval",
    "strip_framing",
    "summarize",
]

DEFAULT_THRESHOLDS: tuple[float, ...] = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60)
UNANSWERABLE = frozenset({"unanswerable-on-topic", "unanswerable-off-topic"})


@dataclass(frozen=True)
class EvalConfig:
    """What one ``qa eval`` run does."""

    questions: Path = DEFAULT_QUESTIONS
    corpus_dir: Path = Path("seeds")
    systems: tuple[str, ...] = SYSTEMS
    distractors: bool = False
    calibrate: bool = False
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    work_dir: Path | None = None
    progress: bool = True
    floors: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from eval.ablations import parse_row

        unknown = [s for s in self.systems if s not in SYSTEMS and parse_row(s) is None]
        if unknown or not self.systems:
            raise UserError(
                f"Unknown system(s) {', '.join(unknown) or '(none given)'}; "
                f"choose from: {','.join(SYSTEMS)}, product-no-<mechanism> "
                "(e.g. --systems product,naive)"
            )


# --------------------------------------------------------------------------- text helpers

_MARKERS_RE = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])+")
_HUMAN_DATE = r"(?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4}|date unknown"
_AS_OF_RE = re.compile(rf"^\s*(?:-\s+|As of )(?:{_HUMAN_DATE}):\s+")
_NOTES_RE = re.compile(rf" \([^()=;]+ = (?:{_HUMAN_DATE})(?:; [^()=;]+ = (?:{_HUMAN_DATE}))*\)")
_EARLIER_RE = re.compile(r"^\s*Earlier reports:\s*")
_INTERVAL_RE = re.compile(
    r"^\s*(?:About )?(\d+) (years?|months?) \(((?:\w+ )?(?:\w+ )?(\d{4})) → "
    r"((?:\w+ )?(?:\w+ )?(\d{4}))\):\s+",
    re.IGNORECASE,
)
_COMMENT_RE = re.compile(r"^A reader comment \(opinion, not reported fact\) says: “(.*)”$", re.S)
_WORD_RE = re.compile(r"\w+")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def strip_framing(claim: str) -> str:
    """The claim without the product's date framing (see the module docstring).

    >>> strip_framing("As of 21 Aug 2019: Maduro spoke on Tuesday. (Tuesday = 20 Aug 2019)")
    'Maduro spoke on Tuesday.'
    >>> strip_framing("Earlier reports:\\n- 10 Jan 2026: Talks may start.")
    'Talks may start.'
    >>> strip_framing("Talks began (in Qatar) in 2023.")
    'Talks began (in Qatar) in 2023.'
    """
    text = _EARLIER_RE.sub("", claim.strip())
    text = _AS_OF_RE.sub("", text)
    interval = _INTERVAL_RE.match(text)
    if interval and _interval_agrees(interval):
        text = text[interval.end() :]
    text = _NOTES_RE.sub("", text).strip()
    comment = _COMMENT_RE.match(text)
    return comment.group(1).strip() if comment else text


def _interval_agrees(m: re.Match[str]) -> bool:
    """Whether "N years (<date> → <date>)" states the gap between the two years (±1, as the
    months may round either way; months: within 12 of the years' gap times 12).

    >>> _interval_agrees(_INTERVAL_RE.match("11 years (2008 → Mar 2019): x"))
    True
    >>> _interval_agrees(_INTERVAL_RE.match("About 20 years (Mar 2013 → Jan 2026): x"))
    False
    """
    n, unit, y1, y2 = int(m.group(1)), m.group(2).lower(), int(m.group(4)), int(m.group(6))
    gap = y2 - y1
    if unit.startswith("year"):
        return abs(n - gap) <= 1
    return abs(n - 12 * gap) <= 12


def claims(text: str) -> list[tuple[str, list[int]]]:
    """Split an answer at its citation markers: each claim is the text up to its markers.

    Text after the last marker is a claim with no citation.

    >>> claims("Kerry met Jaua. [1] They agreed. [2, 3] Unsourced.")
    [('Kerry met Jaua.', [1]), ('They agreed.', [2, 3]), ('Unsourced.', [])]
    """
    out: list[tuple[str, list[int]]] = []
    start = 0
    for match in _MARKERS_RE.finditer(text):
        numbers = [int(n) for n in re.findall(r"\d+", match.group(0))]
        out.append((text[start : match.start()], list(dict.fromkeys(numbers))))
        start = match.end()
    out.append((text[start:], []))
    cleaned = [(strip_framing(c), ns) for c, ns in out]
    return [(c, ns) for c, ns in cleaned if c.strip(" .")]


def quoted_short(short: Any, judge: Callable[[str, str], bool]) -> Callable[[str, str], bool]:
    """``judge``, except that the short answer's line (a name or noun phrase quoted from its
    cited passage, no proposition) is supported by a passage that holds it verbatim: the
    judge's negation check would read "Cabello ... denied a report" as the passage
    negating the claim "Diosdado Cabello".

    >>> from qa.types import ShortAnswer
    >>> never = lambda claim, passage: False
    >>> j = quoted_short(ShortAnswer("Ann Lee", 1, 0, 7), never)
    >>> j("Ann Lee", "Ann Lee denied it."), j("Ann Lee", "Bob said so."), j("Bob", "Bob")
    (True, False, False)
    """
    if short is None:
        return judge
    return lambda claim, passage: (
        (claim.strip() == short.text and short.text in passage) or judge(claim, passage)
    )


def plain_answer(text: str) -> str:
    """The answer text without citation markers."""
    return _squash(_MARKERS_RE.sub(" ", text))


def premise_terms(q: Question, article_texts: Mapping[str, str]) -> tuple[str, ...]:
    """Names and numbers of the question that no gold article contains (folded, lowercase).

    Capitalised words after the first word, and digit runs, are candidates; a candidate is
    in an article when a word there equals it or one is a prefix of the other within three
    letters ("Colombian" / "Colombia").
    """
    texts = [article_texts[a] for a in q.articles] or list(article_texts.values())
    words = {w for t in texts for w in _WORD_RE.findall(_fold(t))}
    tokens = _WORD_RE.findall(q.question)[1:]
    out = []
    for tok in tokens:
        if not (tok[:1].isupper() or tok.isdigit()):
            continue
        w = _fold(tok)
        found = w in words or any(
            min(len(w), len(x)) >= 4
            and abs(len(w) - len(x)) <= 3
            and (w.startswith(x) or x.startswith(w))
            for x in words
        )
        if not found:
            out.append(w)
    return tuple(dict.fromkeys(out))


def _known_text(article: Article) -> str:
    """What an article states, for premise checks: title, body, and its date as words."""
    date = ""
    if article.published:
        from qa.timeref import human_date

        date = human_date(article.published)
        month = re.search(r"[A-Z][a-z]{2}", date)
        full = _MONTH_NAMES.get(month.group(0), "") if month else ""
        date = f"{date} {full}"
    return f"{article.title}\n{article.body}\n{date}"


_MONTH_NAMES = {
    m[:3]: m
    for m in "January February March April May June July August September October November "
    "December".split()
}


def _says_any(text: str, terms: Sequence[str]) -> bool:
    words = set(_WORD_RE.findall(_fold(text)))
    return any(t in words for t in terms)


# --------------------------------------------------------------------------- grading


def _evidence_labels(q: Question, retrieved: Sequence[Any]) -> list[list[str]]:
    """For each ranked item, the gold evidence ids (``ev0``, ``ev1``...) it contains."""
    gold = [(f"ev{i}", e.article, _squash(e.text)) for i, e in enumerate(q.evidence)]
    return [
        [eid for eid, aid, text in gold if r.article_id == aid and text in _squash(r.text)]
        for r in retrieved
    ]


def _retrieval(prefix: str, ranked: list[str], relevant: set[str]) -> dict[str, float]:
    return {
        f"{prefix}_hit@1": m.hit_at_k(ranked, relevant, 1),
        f"{prefix}_hit@5": m.hit_at_k(ranked, relevant, 5),
        f"{prefix}_recall@5": m.recall_at_k(ranked, relevant, 5),
        f"{prefix}_mrr@10": m.mrr_at_k(ranked, relevant, 10),
        f"{prefix}_ndcg@10": m.ndcg_at_k(ranked, relevant, 10),
    }


def grade(
    q: Question,
    out: Output,
    judge: Callable[[str, str], bool],
    article_texts: Mapping[str, str],
) -> dict[str, Any]:
    """Everything measured about one answer, as a JSON-ready record (None = not applicable)."""
    a = out.answer
    text = a.text
    rec: dict[str, Any] = {
        "id": q.id,
        "category": q.category,
        "question": q.question,
        "answer": text,
        "abstained": a.abstained,
        "confidence": a.confidence,
        "cited": [c.article_id for c in a.citations],
        "retrieved": [r.article_id for r in out.retrieved[:10]],
        "timings_ms": {k: round(v, 2) for k, v in a.timings_ms.items()},
        "answer_words": len(plain_answer(text).split()) if not a.abstained else 0,
    }
    if q.articles:
        rec.update(_retrieval("art", [r.article_id for r in out.retrieved], set(q.articles)))
    if q.evidence:
        labels = _evidence_labels(q, out.retrieved)
        relevant = {f"ev{i}" for i in range(len(q.evidence))}
        ranked, seen = [], set()
        for i, contained in enumerate(labels):
            new = [e for e in contained if e not in seen]
            ranked.append(new[0] if new else (contained[0] if contained else f"-{i}"))
            seen.update(contained)
        rec.update(_retrieval("ev", ranked, relevant))
        top5 = [e for contained in labels[:5] for e in contained]
        rec["ev_recall@5"] = len(set(top5) & relevant) / len(relevant)

    answered = not a.abstained
    correct = answered and m.answer_correct(text, q.answers)
    cited = set(rec["cited"])
    if q.category in ANSWERABLE_CATEGORIES:
        short = plain_answer(text) if answered else ""
        rec.update(
            accuracy=float(correct),
            em=m.exact_match(short, q.answers),
            f1=m.f1(short, q.answers),
            gold_cited=float(bool(cited & set(q.articles))),
            gold_cited_all=float(set(q.articles) <= cited),
            refused=float(a.abstained),
        )
    if q.category == "temporal":
        rec["temporal_accuracy"] = float(correct)
    if q.stale_answers:
        rec["stale"] = float(answered and m.is_stale_answer(text, q.answers, q.stale_answers))
    if q.category in UNANSWERABLE:
        rec["rejected"] = float(a.abstained)
        key = "rejection_on_topic" if q.category.endswith("on-topic") else "rejection_off_topic"
        rec[key] = float(a.abstained)
    if q.expects_abstention:
        rec["rejected_any"] = float(a.abstained)
    if q.category == "false-premise":
        terms = premise_terms(q, article_texts)
        repeats = answered and _says_any(text, terms)
        fixed = bool(q.answers) and correct and not repeats
        rec.update(
            premise_terms=list(terms),
            repeats_premise=repeats,
            false_premise_handled=float(a.abstained or fixed),
            false_premise_corrected=float(fixed),
        )
    if q.category == "comment-only":
        labelled = bool(a.citations) and all(c.kind == "comment" for c in a.citations)
        rec["comment_only_handled"] = float(a.abstained or (labelled and "comment" in text.lower()))
    if answered and a.citations:
        passages = {c.n: c.quote for c in a.citations}
        cs = m.citation_scores(claims(text), passages, quoted_short(a.short, judge))
        rec.update(citation_recall=cs.recall, citation_precision=cs.precision)
    elif answered:
        rec.update(citation_recall=0.0, citation_precision=0.0)
    return rec


_MEAN_KEYS = (
    *(
        f"{p}_{k}"
        for p in ("art", "ev")
        for k in ("hit@1", "hit@5", "recall@5", "mrr@10", "ndcg@10")
    ),
    "accuracy",
    "em",
    "f1",
    "gold_cited",
    "gold_cited_all",
    "citation_recall",
    "citation_precision",
    "temporal_accuracy",
    "stale",
    "rejected",
    "rejection_on_topic",
    "rejection_off_topic",
    "rejected_any",
    "refused",
    "false_premise_handled",
    "false_premise_corrected",
    "comment_only_handled",
)
_RENAME = {
    "rejected": "rejection",
    "refused": "false_refusal",
    "stale": "stale_rate",
    "rejected_any": "rejection_all",
}


def summarize(records: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """Average each metric over the questions it applies to; latency percentiles by stage.

    >>> summarize([{"accuracy": 1.0, "timings_ms": {"total": 10}},
    ...            {"accuracy": 0.0, "timings_ms": {"total": 30}}])["accuracy"]
    0.5
    """
    out: dict[str, float | None] = {"n": float(len(records))}
    for key in _MEAN_KEYS:
        values = [float(r[key]) for r in records if r.get(key) is not None]
        out[_RENAME.get(key, key)] = sum(values) / len(values) if values else None
    words = [r["answer_words"] for r in records if not r.get("abstained") and "answer_words" in r]
    out["answer_words"] = sum(words) / len(words) if words else None
    stages = sorted({s for r in records for s in r.get("timings_ms", {})})
    for stage in stages:
        values = [r["timings_ms"][stage] for r in records if stage in r.get("timings_ms", {})]
        name = "latency" if stage == "total" else f"latency_{stage}"
        out[f"{name}_p50_ms"] = m.percentile(values, 50)
        out[f"{name}_p95_ms"] = m.percentile(values, 95)
    return out


# --------------------------------------------------------------------------- building


class CachedEmbedder:
    """An embedder that remembers every text it embedded (the judge re-embeds quotes)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for t, v in zip(missing, self.inner.embed(missing), strict=True):
                self._cache[t] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


def distractor_articles() -> list[Article]:
    """The 300 ABC news articles in gensim's test data, one per line: ``abc_000``... no date.

    Needs the optional ``bench`` extra (gensim).
    """
    try:
        from gensim.test.utils import datapath
    except ImportError:
        raise UserError(
            "--distractors needs the ABC news corpus from gensim. "
            "Install it with: pip install gensim   (or the project's 'bench' extra)"
        ) from None
    lines = Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines()
    articles = []
    for i, line in enumerate(x for x in lines if x.strip()):
        body = line.strip()
        words = body.split()
        title = " ".join(words[:10]) + (" ..." if len(words) > 10 else "")
        articles.append(
            Article(
                id=f"abc_{i:03d}",
                title=title,
                published=None,
                date_source="unknown",
                source="ABC news (gensim lee_background.cor)",
                body=body,
                content_hash=hashlib.sha256(body.encode()).hexdigest()[:16],
                path=f"gensim:lee_background.cor#{i}",
            )
        )
    return articles


def build_assistant(
    settings: Settings, embedder: Embedder, articles: Sequence[Article]
) -> Assistant:
    """A product Assistant over a fresh index of ``articles`` in ``settings.data_dir``."""
    from index.build import sync_articles
    from index.store import open_store
    from qa.assistant import Assistant

    store = open_store(settings, embedder, create=True)
    sync_articles(articles, settings, embedder, store, progress=False)
    bot = Assistant(settings, embedder=embedder, store=store, build_if_missing=False)
    bot.snapshot()
    return bot


def make_systems(
    names: Sequence[str], bot: Assistant, embedder: Embedder, articles: Sequence[Article]
) -> list[System]:
    from eval.ablations import AblatedProduct, parse_row

    systems: list[System] = []
    for name in names:
        if name in ABLATIONS:
            use_dense, use_bm25 = ABLATIONS[name]
            systems.append(ChunkSystem(name, bot, use_dense=use_dense, use_bm25=use_bm25))
        elif name == "product":
            systems.append(ProductSystem(bot))
        elif (off := parse_row(name)) is not None:  # a hand-written mechanism switched off
            systems.append(AblatedProduct(bot, off))
        else:
            systems.append(NaiveSystem(articles, embedder))
    return systems


def _ask_all(
    system: System, questions: Sequence[Question], progress: bool, label: str
) -> list[Output]:
    system.answer(questions[0].question)  # warm-up: first-use loading is not latency
    it = tqdm(questions, desc=label, disable=not progress, leave=False)
    return [system.answer(q.question) for q in it]


def evaluate(
    systems: Sequence[System],
    questions: Sequence[Question],
    judge: Callable[[str, str], bool],
    article_texts: Mapping[str, str],
    progress: bool = False,
    label: str = "",
) -> dict[str, dict[str, Any]]:
    """``{system name: {"metrics": {...}, "questions": [records]}}``."""
    out = {}
    for system in systems:
        outputs = _ask_all(system, questions, progress, f"{label}{system.name}")
        records = [
            grade(q, o, judge, article_texts) for q, o in zip(questions, outputs, strict=True)
        ]
        out[system.name] = {"metrics": summarize(records), "questions": records}
    return out


def calibrate(
    bot: Assistant, questions: Sequence[Question], thresholds: Sequence[float]
) -> list[dict[str, float | None]]:
    """Product accuracy, false refusals and rejection at each abstain threshold."""
    from qa.assistant import with_settings

    rows = []
    for t in thresholds:
        clone = with_settings(bot, abstain_threshold=t)
        rows_q = []
        for q in questions:
            a = clone.ask(q.question)
            rows_q.append((q, a))
        answerable = [(q, a) for q, a in rows_q if q.category in ANSWERABLE_CATEGORIES]
        unanswerable = [(q, a) for q, a in rows_q if q.category in UNANSWERABLE]
        expect = [(q, a) for q, a in rows_q if q.expects_abstention]

        def share(
            items: list[tuple[Question, Any]], pred: Callable[[Question, Any], bool]
        ) -> float | None:
            return sum(pred(q, a) for q, a in items) / len(items) if items else None

        rows.append(
            {
                "threshold": t,
                "accuracy": share(
                    answerable, lambda q, a: not a.abstained and m.answer_correct(a.text, q.answers)
                ),
                "false_refusal": share(answerable, lambda q, a: a.abstained),
                "rejection": share(unanswerable, lambda q, a: a.abstained),
                "rejection_all": share(expect, lambda q, a: a.abstained),
            }
        )
    return rows


def run_eval(
    config: EvalConfig, settings: Settings | None = None, embedder: Embedder | None = None
) -> dict[str, Any]:
    """Run the benchmark; returns the report (see :mod:`eval.report` for how it is written)."""
    from index.config import set_offline_env
    from index.embed import get_embedder
    from index.ingest import load_corpus
    from qa.settings import Settings

    set_offline_env()
    t0 = time.perf_counter()
    base = settings or Settings()
    embedder = embedder or get_embedder(base)
    questions = load_questions(config.questions, config.corpus_dir, base)
    corpus = load_corpus(config.corpus_dir, base)
    articles = list(corpus.articles)
    judge = SupportJudge(embedder=CachedEmbedder(embedder))  # systems get the plain model
    report: dict[str, Any] = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "questions_file": str(config.questions),
        "corpus": str(config.corpus_dir),
        "n_questions": len(questions),
        "categories": {
            c: sum(q.category == c for q in questions)
            for c in dict.fromkeys(q.category for q in questions)
        },
        "embedding_model": embedder.model_id,
        "systems": list(config.systems),
    }
    if DEFAULT_PAIRS.is_file():
        report["judge_agreement"] = judge_agreement(load_judge_pairs(), judge)
    with tempfile.TemporaryDirectory(prefix="qa-eval-", dir=config.work_dir) as tmp:
        runs = [("clean", articles)]
        if config.distractors:
            runs.append(("distractors", [*articles, *distractor_articles()]))
        for run_name, run_articles in runs:
            settings_run = base.model_copy(
                update={"corpus_dir": config.corpus_dir, "data_dir": Path(tmp) / run_name}
            )
            log.info("indexing %d articles for the %s run", len(run_articles), run_name)
            bot = build_assistant(settings_run, embedder, run_articles)
            texts = {a.id: _known_text(a) for a in run_articles}
            systems = make_systems(config.systems, bot, embedder, run_articles)
            label = "" if run_name == "clean" else "distractors: "
            report[run_name] = evaluate(
                systems, questions, judge.supports, texts, config.progress, label
            )
            report[f"{run_name}_chunks"] = bot.snapshot().n_chunks
            if run_name == "clean" and config.calibrate and "product" in config.systems:
                report["calibration"] = calibrate(bot, questions, config.thresholds)
    if config.distractors:
        report["delta"] = {
            name: _delta(report["clean"][name]["metrics"], report["distractors"][name]["metrics"])
            for name in config.systems
        }
    report["seconds"] = round(time.perf_counter() - t0, 1)
    return report


def _delta(
    clean: Mapping[str, float | None], noisy: Mapping[str, float | None]
) -> dict[str, float | None]:
    return {
        k: (noisy[k] - v if v is not None and noisy.get(k) is not None else None)  # type: ignore[operator]
        for k, v in clean.items()
        if k != "n"
    }


FLOORS = {
    "accuracy": "--min-accuracy",
    "citation_precision": "--min-citation-precision",
    "rejection": "--min-rejection",
    "strict": "--min-strict",
    "em": "--min-em",
}


def check_floors(metrics: Mapping[str, float | None], floors: Mapping[str, float]) -> list[str]:
    """One message per metric of the product row below its floor.

    >>> check_floors({"accuracy": 0.9, "rejection": 1.0}, {"accuracy": 0.95, "rejection": 0.9})
    ['accuracy 0.900 is below the floor 0.950 (--min-accuracy)']
    """
    failed = []
    for key, floor in floors.items():
        value = metrics.get(key)
        if value is None or value < floor:
            shown = "n/a" if value is None else f"{value:.3f}"
            flag = FLOORS.get(key, key)
            failed.append(f"{key} {shown} is below the floor {floor:.3f} ({flag})")
    return failed
