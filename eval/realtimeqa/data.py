"""The realtimeqa files as typed values, and the corpus a user would have made of them.

Files (see the data folder's README): ``pages.jsonl.xz`` (one page a line: ``id``, ``url``,
``title``, ``publish_date`` as ``YYYY/MM/DD`` or missing, ``text``), ``train.jsonl`` and
``dev.jsonl`` (one question a line: ``id``, ``week``, ``question_date``, ``question``,
``choices``, ``answer``, ``answer_in_pages``, ``pages``).

A *block* is a run of consecutive weeks of one split; its corpus is the pages of its
questions, deduplicated by id. Positives are the block's questions whose answer is in their
pages; negatives are questions of the split's other weeks whose answer occurs nowhere in the
pooled corpus, as many as there are positives, drawn reproducibly::

    >>> blocks(["w1", "w2", "w3", "w4", "w5"], 2)
    [('w4', 'w5')]
    >>> blocks(["w1", "w2", "w3", "w4", "w5"], 2, every=True)
    [('w4', 'w5'), ('w2', 'w3'), ('w1',)]
    >>> blocks(["w1", "w2", "w3", "w4", "w5"], 2, start="w2")
    [('w2', 'w3')]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import lzma
import os
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from eval.metrics import normalize_answer
from index.errors import UserError

__all__ = [
    "DEFAULT_DATA",
    "FORMATS",
    "SPLITS",
    "BenchmarkDataMissing",
    "Dataset",
    "Page",
    "RtQuestion",
    "block_key",
    "block_pages",
    "blocks",
    "contains_answer",
    "gold_pages",
    "load_dataset",
    "page_id",
    "select_negatives",
    "write_corpus",
]

DEFAULT_DATA = Path(os.environ.get("QA_REALTIMEQA_DATA", "../shared/benchmarks/realtimeqa"))
SPLITS = ("train", "dev")
PAGES_FILE = "pages.jsonl.xz"


class BenchmarkDataMissing(UserError):
    """The benchmark folder is missing or unreadable (exit 2, one line)."""


@dataclass(frozen=True)
class RtQuestion:
    id: str
    week: str
    question_date: str
    question: str
    choices: tuple[str, ...]
    answer: str
    answer_in_pages: bool
    pages: tuple[str, ...]

    @property
    def others(self) -> tuple[str, ...]:
        """The wrong choices (a choice equal to the answer once folded is not one)."""
        gold = normalize_answer(self.answer)
        return tuple(c for c in self.choices if normalize_answer(c) != gold)


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    title: str
    publish_date: str | None  # "YYYY/MM/DD" as the scraper reported it
    text: str

    @property
    def iso_date(self) -> str | None:
        """The scraper's date as ISO ``YYYY-MM-DD`` (None when missing or malformed).

        >>> Page("p", "", "", "2025/01/03", "").iso_date
        '2025-01-03'
        """
        parts = (self.publish_date or "").strip().replace("/", "-").split("-")
        try:
            return dt.date(*(int(p) for p in parts)).isoformat() if len(parts) == 3 else None
        except ValueError:
            return None

    def file_text(self) -> str:
        """The page as a user would save it: title line, blank line, the page text."""
        title = " ".join(self.title.split())
        return f"{title}\n\n{self.text.strip()}\n" if title else f"{self.text.strip()}\n"


def _missing(root: Path, what: str) -> BenchmarkDataMissing:
    return BenchmarkDataMissing(
        f"realtimeqa data {what} at {root}: expected {PAGES_FILE}, train.jsonl and dev.jsonl "
        "there (see its README). Point at the folder with --data PATH or QA_REALTIMEQA_DATA."
    )


def _read_jsonl(path: Path, root: Path) -> list[dict[str, object]]:
    opener = lzma.open if path.suffix == ".xz" else open
    rows = []
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        raise _missing(root, f"is unreadable ({path.name} line {n})") from None
    except (OSError, EOFError, lzma.LZMAError, UnicodeDecodeError) as e:
        raise _missing(root, f"is unreadable ({path.name}: {e})") from None
    return rows


class Dataset:
    """The benchmark folder; questions and pages are read on first use."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        path = self.root / name
        if not path.is_file():
            raise _missing(self.root, "not found" if not self.root.is_dir() else f"lacks {name}")
        return path

    def questions(self, split: str) -> list[RtQuestion]:
        if split not in SPLITS:
            raise UserError(f"Unknown split {split!r}; choose from: {', '.join(SPLITS)}")
        out = []
        for row in _read_jsonl(self._path(f"{split}.jsonl"), self.root):
            try:
                out.append(
                    RtQuestion(
                        id=str(row["id"]),
                        week=str(row["week"]),
                        question_date=str(row.get("question_date") or ""),
                        question=str(row["question"]),
                        choices=tuple(str(c) for c in row["choices"]),  # type: ignore[attr-defined]
                        answer=str(row["answer"]),
                        answer_in_pages=bool(row.get("answer_in_pages")),
                        pages=tuple(str(p) for p in row.get("pages") or ()),  # type: ignore[attr-defined]
                    )
                )
            except (KeyError, TypeError) as e:
                raise _missing(self.root, f"is unreadable ({split}.jsonl: missing {e})") from None
        return out

    @cached_property
    def pages(self) -> dict[str, Page]:
        out = {}
        for row in _read_jsonl(self._path(PAGES_FILE), self.root):
            pid = str(row.get("id") or "")
            if pid:
                out[pid] = Page(
                    id=pid,
                    url=str(row.get("url") or ""),
                    title=str(row.get("title") or ""),
                    publish_date=str(row["publish_date"]) if row.get("publish_date") else None,
                    text=str(row.get("text") or ""),
                )
        return out

    @cached_property
    def version(self) -> str:
        """A short hash of the files' sizes and first bytes: which copy of the data this was."""
        h = hashlib.sha256()
        for name in (PAGES_FILE, "train.jsonl", "dev.jsonl"):
            path = self.root / name
            if path.is_file():
                with path.open("rb") as f:
                    h.update(f"{name}:{path.stat().st_size}:".encode())
                    h.update(f.read(1 << 20))
        return h.hexdigest()[:12]


def load_dataset(root: Path = DEFAULT_DATA) -> Dataset:
    """The benchmark folder, checked: a missing folder or file is one line naming the place."""
    root = Path(root)
    if not root.is_dir():
        raise _missing(root, "not found")
    ds = Dataset(root)
    for name in (PAGES_FILE, "train.jsonl", "dev.jsonl"):
        ds._path(name)
    return ds


def blocks(
    weeks: Sequence[str], size: int, every: bool = False, start: str | None = None
) -> list[tuple[str, ...]]:
    """Runs of ``size`` consecutive weeks: the most recent one, or (``start``) the one that
    begins at that week, or (``every``) all of them from the newest back (the oldest
    block may be shorter)."""
    if size < 1:
        raise UserError(f"--weeks must be at least 1 (got {size})")
    weeks = sorted(set(weeks))
    if start is not None:
        later = [w for w in weeks if w >= start]
        if not later:
            raise UserError(
                f"--weeks-from {start}: no week on or after it (weeks run {weeks[0]}-{weeks[-1]})"
            )
        return [tuple(later[:size])]
    if not every:
        return [tuple(weeks[-size:])]
    out = []
    end = len(weeks)
    while end > 0:
        out.append(tuple(weeks[max(0, end - size) : end]))
        end -= size
    return out


def block_key(split: str, weeks: Sequence[str], with_dates: bool = False, fmt: str = "text") -> str:
    """Folder name of one block's corpus and index.

    >>> block_key("dev", ["20251219", "20251226"], with_dates=True)
    'dev-20251219-20251226-dated'
    >>> block_key("dev", ["20251226"], fmt="jsonl")
    'dev-20251226-20251226-jsonl'
    """
    key = f"{split}-{weeks[0]}-{weeks[-1]}" + ("-dated" if with_dates else "")
    return key + ("" if fmt == "text" else f"-{fmt}")


def block_pages(questions: Iterable[RtQuestion], pages: Mapping[str, Page]) -> list[Page]:
    """The pages of these questions, each once, in order of first mention (missing ids left out)."""
    ids = dict.fromkeys(p for q in questions for p in q.pages)
    return [pages[p] for p in ids if p in pages]


def fold(text: str) -> str:
    """Case, accents and punctuation folded (``eval.metrics.normalize_answer``), space-padded
    so a containment test matches whole words only."""
    return f" {normalize_answer(text)} "


def contains_answer(folded_text: str, answer: str) -> bool:
    """Whether ``answer`` occurs in a text folded with :func:`fold`, as whole words.

    >>> contains_answer(fold("Pope Leo XIV said"), "Leo XIV"), contains_answer(fold("Leon"), "Leo")
    (True, False)
    """
    needle = normalize_answer(answer)
    return bool(needle) and f" {needle} " in folded_text


def gold_pages(q: RtQuestion, folded_pages: Mapping[str, str]) -> set[str]:
    """The question's pages whose title or text holds the answer."""
    return {p for p in q.pages if p in folded_pages and contains_answer(folded_pages[p], q.answer)}


def select_negatives(
    candidates: Sequence[RtQuestion], corpus_folded: str, n: int, seed: str
) -> list[RtQuestion]:
    """Up to ``n`` of ``candidates`` whose answer occurs nowhere in the corpus, drawn with a
    seeded generator (same inputs, same draw), returned in id order."""
    eligible = sorted(
        (q for q in candidates if not contains_answer(corpus_folded, q.answer)), key=lambda q: q.id
    )
    rng = random.Random(seed)
    chosen = rng.sample(eligible, min(n, len(eligible)))
    return sorted(chosen, key=lambda q: q.id)


FORMATS = ("text", "markdown", "jsonl")
"""How the pages are written: plain text files (title, blank line, text), Markdown with
front matter (title, date, url), or one JSONL export (``id``, ``title``, ``text``,
``publish_date``, ``url``), as a scraper or feed reader would export them."""


def page_id(article_id: str) -> str:
    """The page id of an indexed article (export rows are ``articles#<page id>``).

    >>> page_id("articles#rt_0123"), page_id("rt_0123")
    ('rt_0123', 'rt_0123')
    """
    return article_id.rsplit("#", 1)[-1]


def _write_format(pages: Sequence[Page], folder: Path, fmt: str) -> int:
    from index.formats.fields import FieldNames
    from index.formats.write import ArticleRecord
    from index.formats.write import write_corpus as write_records

    records = [
        ArticleRecord(p.id, " ".join(p.title.split()), p.text, published=p.iso_date, url=p.url)
        for p in pages
    ]
    names = FieldNames(published=("publish_date",)) if fmt == "jsonl" else None
    with_names = {"names": names} if names is not None else {}
    written = {path.name for path in write_records(folder, records, fmt, **with_names)}  # type: ignore[arg-type]
    for old in folder.iterdir():
        if old.is_file() and old.name not in written:
            old.unlink()
    return len(written)


def write_corpus(
    pages: Sequence[Page], folder: Path, with_dates: bool = False, fmt: str = "text"
) -> int:
    """Write the pages as article files (``<id>.txt``: title, blank line, text) into ``folder``.

    Files already holding the same text are left alone and files of pages no longer in the
    block are removed, so re-running changes nothing on disk. With ``with_dates``, the
    scraper's ``publish_date`` goes into ``catalog.toml`` (the index's metadata file), as a
    user with that metadata would give it. ``fmt`` "markdown" or "jsonl" writes the pages
    in that form instead, the date and URL with them (:data:`FORMATS`). Returns the number
    of files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if fmt != "text":
        if fmt not in FORMATS:
            raise UserError(f"Unknown --format {fmt!r}; choose from: {', '.join(FORMATS)}")
        return _write_format(pages, folder, fmt)
    wanted = {f"{p.id}.txt": p.file_text() for p in pages}
    for old in folder.glob("*.txt"):
        if old.name not in wanted:
            old.unlink()
    written = 0
    for name, text in wanted.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written += 1
    catalog = folder / "catalog.toml"
    if with_dates:
        lines = ["# publish_date of each page as the scraper reported it (qa eval --with-dates)"]
        for p in pages:
            if p.iso_date:
                lines += ["", f'["{p.id}"]', f'published = "{p.iso_date}"']
        text = "\n".join(lines) + "\n"
        if not catalog.is_file() or catalog.read_text(encoding="utf-8") != text:
            catalog.write_text(text, encoding="utf-8")
    elif catalog.exists():
        catalog.unlink()
    return written
