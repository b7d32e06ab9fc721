"""One ``qa eval --benchmark realtimeqa`` run: blocks of weeks -> corpus -> index -> answers.

For each block (see :mod:`eval.realtimeqa.data`):

1. its pages are written as article files into ``<work>/<block key>/corpus/`` (title line,
   blank line, text; ``catalog.toml`` with the scraper's dates under ``--with-dates``);
2. the real :func:`index.build.sync` indexes them into ``<work>/<block key>/`` (the store's
   collection is named after the index settings, so a re-run after a change in ``qa/``
   re-indexes nothing and a changed index setting builds its own collection); chunk vectors
   go through an on-disk cache keyed by text (``<work>/embed-cache/``), so only new chunk
   texts are embedded;
3. every system answers the positives and the negatives, and each answer is graded
   (:mod:`eval.realtimeqa.score`);
4. extracted article dates are compared with the scraper's.

``--all-blocks`` does this for every block of the split and reports the mean over blocks
(each block weighs the same) with the spread; breakdowns are pooled over all questions.
"""

from __future__ import annotations

import logging
import re
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from eval.realtimeqa import data as d
from eval.realtimeqa.score import grade, summarize
from index.errors import UserError

if TYPE_CHECKING:
    from eval.systems import Output, System
    from index.embed import Embedder
    from index.types import Article
    from qa.assistant import Assistant
    from qa.settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "RT_SYSTEMS",
    "RtqaConfig",
    "date_agreement",
    "index_pages",
    "run_block",
    "run_realtimeqa",
]

RT_SYSTEMS: tuple[str, ...] = ("bm25", "dense", "hybrid", "product", "naive", "best_sentence")
EVIDENCE_ROWS = {"product-learned": "learned", "product-weights": "weights"}
"""Rows of the product with the evidence model set, whatever the settings say (both side by
side in one run)."""


@dataclass(frozen=True)
class RtqaConfig:
    """What one run does (the ``qa eval --benchmark realtimeqa`` flags)."""

    data: Path = d.DEFAULT_DATA
    split: str = "dev"
    weeks: int = 6
    weeks_from: str | None = None
    all_blocks: bool = False
    with_dates: bool = False
    page_format: str = "text"  # how the pages are written (data.FORMATS)
    systems: tuple[str, ...] = RT_SYSTEMS
    work_dir: Path | None = None  # default: <settings.data_dir>/realtimeqa
    progress: bool = True

    def __post_init__(self) -> None:
        from eval.ablations import parse_row

        known = (*RT_SYSTEMS, *EVIDENCE_ROWS)
        unknown = [s for s in self.systems if s not in known and parse_row(s) is None]
        if unknown or not self.systems:
            raise UserError(
                f"Unknown system(s) {', '.join(unknown) or '(none given)'}; "
                f"choose from: {','.join(known)}, product-no-<mechanism> "
                "(e.g. --systems product,best_sentence)"
            )
        if self.split not in d.SPLITS:
            raise UserError(f"Unknown split {self.split!r}; choose from: {', '.join(d.SPLITS)}")
        if self.page_format not in d.FORMATS:
            raise UserError(
                f"Unknown --format {self.page_format!r}; choose from: {', '.join(d.FORMATS)}"
            )
        if self.all_blocks and self.weeks_from:
            raise UserError("--all-blocks covers every week; leave out --weeks-from")

    @property
    def key(self) -> str:
        """The baseline entry this run compares with: same split, block size, weeks, dates.

        >>> RtqaConfig(weeks=6, all_blocks=True).key
        'dev/6w/all-blocks'
        """
        if self.all_blocks:
            where = "all-blocks"
        else:
            where = f"from-{self.weeks_from}" if self.weeks_from else "latest"
        fmt = "" if self.page_format == "text" else f"/{self.page_format}"
        return f"{self.split}/{self.weeks}w/{where}" + ("/dated" if self.with_dates else "") + fmt


# --------------------------------------------------------------------------- dates

_URL_DATE_RE = re.compile(r"/(20\d{2}|19\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|[^\d]|$)")


def url_date(url: str) -> str | None:
    """A ``/YYYY/MM/DD/`` date in a URL, as ISO (None when there is none or it is invalid).

    >>> url_date("https://www.cnn.com/2022/06/12/media/x/index.html")
    '2022-06-12'
    """
    found = _URL_DATE_RE.search(url)
    if not found:
        return None
    y, mo, da = (int(x) for x in found.groups())
    return f"{y:04d}-{mo:02d}-{da:02d}" if 1 <= mo <= 12 and 1 <= da <= 31 else None


def date_agreement(
    pages: Sequence[d.Page], articles: Mapping[str, Article], listed: int = 40
) -> dict[str, Any]:
    """How the indexer's ``published`` compares with the scraper's ``publish_date``.

    Over the pages indexed as their own article: the share dated by each, and where both
    are, the share on the same day and in the same month. The scraper's date is itself
    sometimes wrong (the date of an older page): a disagreement where the page's URL carries
    a date that agrees with ours is counted as the scraper's error (``scraper_wrong``) and
    left out of ``same_day_excluding_scraper_errors``; the disagreements are listed with
    the URL's date so a reader can judge.
    """
    rows = [(p, articles[p.id]) for p in pages if p.id in articles]
    both = [(p, a) for p, a in rows if p.iso_date and a.published]
    day = [(p, a) for p, a in both if a.published == p.iso_date]
    month = [(p, a) for p, a in both if (a.published or "")[:7] == (p.iso_date or "")[:7]]
    disagree = [(p, a) for p, a in both if a.published != p.iso_date]
    scraper_wrong = [
        (p, a)
        for p, a in disagree
        if (u := url_date(p.url)) and u[: len(a.published or "")] == a.published
    ]
    considered = len(both) - len(scraper_wrong)

    def share(n: int, of: int) -> float | None:
        return n / of if of else None

    wrong_year = [(p, a) for p, a in disagree if (a.published or "")[:4] != (p.iso_date or "")[:4]]
    return {
        "pages": len(rows),
        "scraper_dated": share(sum(1 for p, _ in rows if p.iso_date), len(rows)),
        "extracted_dated": share(sum(1 for _, a in rows if a.published), len(rows)),
        "both_dated": len(both),
        "same_day": share(len(day), len(both)),
        "same_month": share(len(month), len(both)),
        "scraper_wrong": len(scraper_wrong),
        "same_day_excluding_scraper_errors": share(len(day), considered),
        "wrong_year": len(wrong_year),
        "disagreements": [
            {
                "id": p.id,
                "scraper": p.iso_date,
                "extracted": a.published,
                "date_source": a.date_source,
                "url_date": url_date(p.url),
                "evidence": (a.date_evidence or "")[:120],
            }
            for p, a in disagree[:listed]
        ],
    }


# --------------------------------------------------------------------------- one block


def index_pages(
    pages: Sequence[d.Page],
    folder: Path,
    settings: Settings,
    embedder: Embedder,
    config: RtqaConfig,
    key: str,
) -> tuple[Assistant, Any, dict[str, Any]]:
    """Write the corpus, sync it (cached), and open an Assistant over it."""
    from eval.bench_cache import cached_embedder
    from index.build import sync
    from index.ingest import load_corpus
    from index.store import open_store
    from qa.assistant import Assistant

    t0 = time.perf_counter()
    d.write_corpus(pages, folder / "corpus", config.with_dates, config.page_format)
    block_settings = settings.model_copy(
        update={"corpus_dir": folder / "corpus", "data_dir": folder}
    )
    cache = cached_embedder(embedder, folder.parent / "embed-cache", key)
    corpus = load_corpus(block_settings.corpus_dir, block_settings)
    store = open_store(block_settings, cache, create=True)
    report = sync(
        block_settings.corpus_dir,
        block_settings,
        cache,
        store,
        progress=config.progress,
        corpus=corpus,
    )
    cache.save()
    bot = Assistant(block_settings, embedder=embedder, store=store, build_if_missing=False)
    snap = bot.snapshot()
    info = {
        "articles": len(snap.articles),
        "chunks": snap.n_chunks,
        "skipped": sum(1 for w in report.warnings if w.startswith("Skipped")),
        "duplicates": len(report.duplicates),
        "embedded_chunks": cache.misses,
        "index_seconds": round(time.perf_counter() - t0, 1),
    }
    aliases = {d.page_id(dropped): d.page_id(kept) for kept, dropped in report.duplicates}
    return bot, (cache, aliases), info


def _systems(names: Sequence[str], bot: Assistant, cache: Embedder) -> list[System]:
    from eval.ablations import AblatedProduct, parse_row, refit_combiner
    from eval.systems import ABLATIONS, BestSentenceSystem, ChunkSystem, NaiveSystem
    from eval.systems import ProductSystem as Product
    from qa.assistant import with_settings

    out: list[System] = []
    for name in names:
        if name in ABLATIONS:
            dense, bm25 = ABLATIONS[name]
            out.append(ChunkSystem(name, bot, use_dense=dense, use_bm25=bm25))
        elif name == "product":
            out.append(Product(bot))
        elif name in EVIDENCE_ROWS:  # the product with the other evidence model, side by side
            out.append(Product(with_settings(bot, evidence_model=EVIDENCE_ROWS[name]), name))
        elif name == "best_sentence":
            out.append(BestSentenceSystem(bot))
        elif (off := parse_row(name)) is not None:
            out.append(AblatedProduct(bot, off, refit_combiner(off, bot.settings.data_dir.parent)))
        else:  # naive: its own llama-index index, chunk vectors through the cache
            out.append(NaiveSystem(list(bot.snapshot().articles.values()), cache))
    return out


def _page_ids(out: Output) -> Output:
    """The output with article ids read as page ids (export rows are ``articles#<id>``)."""
    from dataclasses import replace

    if not any("#" in c.article_id for c in out.answer.citations) and not any(
        "#" in r.article_id for r in out.retrieved
    ):
        return out
    cites = tuple(replace(c, article_id=d.page_id(c.article_id)) for c in out.answer.citations)
    found = tuple(replace(r, article_id=d.page_id(r.article_id)) for r in out.retrieved)
    return replace(out, answer=replace(out.answer, citations=cites), retrieved=found)


def _short(out: Output) -> str | None:
    return out.answer.short.text if out.answer.short is not None else None


def block_questions(
    weeks: Sequence[str], questions: Sequence[d.RtQuestion], ds: d.Dataset, key: str
) -> tuple[list[d.Page], list[d.RtQuestion], list[d.RtQuestion], dict[str, str]]:
    """A block's pages, positives, negatives (drawn with the block's key as seed) and
    folded page texts."""
    inside = set(weeks)
    positives = [q for q in questions if q.week in inside and q.answer_in_pages]
    pages = d.block_pages([q for q in questions if q.week in inside], ds.pages)
    folded = {p.id: d.fold(p.title + "\n" + p.text) for p in pages}
    negatives = d.select_negatives(
        [q for q in questions if q.week not in inside],
        " ".join(folded.values()),
        len(positives),
        seed=key,
    )
    return pages, positives, negatives, folded


def index_block(
    weeks: Sequence[str],
    ds: d.Dataset,
    config: RtqaConfig,
    settings: Settings,
    embedder: Embedder,
    work: Path,
) -> tuple[Assistant, list[d.RtQuestion], list[d.RtQuestion]]:
    """The block's Assistant (indexed as a benchmark run does) and its questions."""
    base = d.block_key(config.split, weeks)
    key = d.block_key(config.split, weeks, config.with_dates, config.page_format)
    questions = ds.questions(config.split)
    pages, positives, negatives, _ = block_questions(weeks, questions, ds, base)
    bot, _, _ = index_pages(pages, work / key, settings, embedder, config, base)
    return bot, positives, negatives


def run_block(
    weeks: Sequence[str],
    questions: Sequence[d.RtQuestion],
    ds: d.Dataset,
    config: RtqaConfig,
    settings: Settings,
    embedder: Embedder,
    work: Path,
) -> dict[str, Any]:
    """Index one block and ask every system its positives and negatives."""
    base = d.block_key(config.split, weeks)  # the questions' seed and the embedding cache
    key = d.block_key(config.split, weeks, config.with_dates, config.page_format)
    pages, positives, negatives, folded = block_questions(weeks, questions, ds, base)
    bot, (cache, aliases), info = index_pages(pages, work / key, settings, embedder, config, base)
    asked = [(q, True) for q in positives] + [(q, False) for q in negatives]
    gold = {q.id: {aliases.get(p, p) for p in d.gold_pages(q, folded)} for q in positives}
    result: dict[str, Any] = {
        "key": key,
        "weeks": list(weeks),
        "pages": len(pages),
        **info,
        "n_positive": len(positives),
        "n_negative": len(negatives),
        "positives_without_gold_page": sum(1 for q in positives if not gold[q.id]),
        "dates": date_agreement(
            pages, {d.page_id(aid): a for aid, a in bot.snapshot().articles.items()}
        ),
        "systems": {},
    }
    for system in _systems(config.systems, bot, cache):
        label = f"{key} {system.name}"
        if asked:
            system.answer(asked[0][0].question)  # warm-up: first-use loading is not latency
        records = []
        for q, positive in tqdm(asked, desc=label, disable=not config.progress, leave=False):
            out = _page_ids(system.answer(q.question))
            short = _short(out)
            gives_short = bool(getattr(system, "gives_short", False))
            records.append(grade(q, out, gold.get(q.id, set()), positive, short, gives_short))
        result["systems"][system.name] = {"metrics": summarize(records), "questions": records}
    return result


# --------------------------------------------------------------------------- the run


def _scalar_keys(metrics: Mapping[str, Any]) -> list[str]:
    return [k for k, v in metrics.items() if isinstance(v, int | float) or v is None]


def aggregate(block_results: Sequence[Mapping[str, Any]], system: str) -> dict[str, Any]:
    """Mean over blocks of each scalar metric of ``system``, with std/min/max."""
    rows = [b["systems"][system]["metrics"] for b in block_results if system in b["systems"]]
    mean: dict[str, Any] = {}
    spread: dict[str, Any] = {}
    for k in _scalar_keys(rows[0]) if rows else []:
        values = [float(r[k]) for r in rows if r.get(k) is not None]
        if not values:
            mean[k] = None
            continue
        mean[k] = sum(values) / len(values)
        spread[k] = {
            "std": statistics.pstdev(values) if len(values) > 1 else 0.0,
            "min": min(values),
            "max": max(values),
        }
    return {"mean": mean, "spread": spread}


def run_realtimeqa(
    config: RtqaConfig, settings: Settings | None = None, embedder: Embedder | None = None
) -> dict[str, Any]:
    """Run the benchmark; returns the report (:mod:`eval.realtimeqa.report` presents it)."""
    from index.config import set_offline_env
    from index.embed import get_embedder
    from qa.settings import Settings

    set_offline_env()
    t0 = time.perf_counter()
    ds = d.load_dataset(config.data)
    base = settings or Settings()
    questions = ds.questions(config.split)
    week_blocks = d.blocks(
        [q.week for q in questions], config.weeks, every=config.all_blocks, start=config.weeks_from
    )
    embedder = embedder or get_embedder(base)
    work = config.work_dir or base.data_dir / "realtimeqa"
    report: dict[str, Any] = {
        "benchmark": "realtimeqa",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "key": config.key,
        "split": config.split,
        "weeks_per_block": config.weeks,
        "all_blocks": config.all_blocks,
        "with_dates": config.with_dates,
        "page_format": config.page_format,
        "data": str(config.data),
        "data_version": ds.version,
        "embedding_model": embedder.model_id,
        "index_settings": {"chunk_tokens": base.chunk_tokens, "chunk_overlap": base.chunk_overlap},
        "systems": list(config.systems),
        "blocks": [],
    }
    for weeks in week_blocks:
        log.info("realtimeqa block %s-%s", weeks[0], weeks[-1])
        block = run_block(weeks, questions, ds, config, base, embedder, work)
        report["blocks"].append(block)
    blocks_ = report["blocks"]
    report["summary"] = {}
    report["spread"] = {}
    report["pooled"] = {}
    for name in config.systems:
        agg = aggregate(blocks_, name)
        pooled = summarize([r for b in blocks_ for r in b["systems"][name]["questions"]])
        report["summary"][name] = agg["mean"] | {
            "by_qword": pooled["by_qword"],
            "errors": pooled["errors"],
        }
        report["spread"][name] = agg["spread"]
        report["pooled"][name] = {k: pooled[k] for k in _scalar_keys(pooled)}
    for k in ("pages", "articles", "chunks", "n_positive", "n_negative"):
        report[k] = sum(b[k] for b in blocks_)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    return report
