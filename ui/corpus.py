"""The corpus tab's data: the article table, a one-line summary, and reading an upload.

Saving and indexing belong to ``Assistant.add_article``; this module only turns what the
page received into its arguments (and refuses what it must not pass on).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from qa.snapshot import Snapshot
from qa.timeref import human_date, sort_key
from qa.upload import ALLOWED_SUFFIXES, UploadRefused

HEADERS = ["Title", "Date", "Chunks", "Reader comments", "ID"]


def corpus_rows(snap: Snapshot) -> list[list[str | int]]:
    """One row per article, newest first: title, date, chunk count, comment count, id."""
    chunks = Counter(c.article_id for c in snap.chunks)
    articles = sorted(
        snap.articles.values(), key=lambda a: (-sort_key(a.published), a.title.lower())
    )
    return [
        [a.title or a.id, human_date(a.published), chunks[a.id], len(a.comments), a.id]
        for a in articles
    ]


def corpus_summary(snap: Snapshot) -> str:
    """E.g. "5 articles, Nov 2013 – Jan 2026, 42 passages"."""
    n = len(snap.articles)
    if n == 0:
        return "No articles indexed yet: add one in the Articles tab."
    dated = sorted(
        (sort_key(a.published), a.published) for a in snap.articles.values() if a.published
    )
    span = f", {human_date(dated[0][1])} – {human_date(dated[-1][1])}" if dated else ""
    noun = "article" if n == 1 else "articles"
    return f"{n} {noun}{span}, {len(snap.chunks)} passages"


def example_questions(snap: Snapshot, n: int = 4) -> list[str]:
    """Clickable starter questions about whatever the corpus holds: its newest articles.

    Built from titles, so they fit any corpus rather than one known set of articles.
    """
    newest = sorted(snap.articles.values(), key=lambda a: (sort_key(a.published), a.id))[::-1]
    return [f"What happened in “{a.title}”?" for a in newest[:n]]


def read_upload(path: str | Path, max_bytes: int) -> tuple[str, str]:
    """The text and original file name of an uploaded article; refuses wrong type or size.

    Gradio keeps the user's file name as the base name of its temporary copy; only that base
    name is passed on (``add_article`` reduces it further to a safe name in the corpus folder).
    """
    p = Path(path)
    name = p.name
    if p.suffix.lower() not in ALLOWED_SUFFIXES:
        raise UploadRefused(f"Only .txt and .md files can be added, not {name!r}.")
    size = p.stat().st_size
    if size > max_bytes:
        raise UploadRefused(
            f"{name} is {size:,} bytes; the limit is {max_bytes:,} (QA_MAX_FILE_BYTES)."
        )
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UploadRefused(f"{name} is not UTF-8 text: save it as UTF-8 and upload again.") from e
    return text, name
