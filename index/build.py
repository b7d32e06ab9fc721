"""Incremental sync of a folder of articles into the chunk store.

Each article's version is :func:`index.store.article_hash` (text and metadata). A sync
compares the folder with the store's manifest and touches only what changed:

- unchanged article (same hash): nothing is chunked or embedded;
- new or changed article: its chunks are embedded and stored under the new hash, *then*
  its manifest record switches to the new hash, *then* the old version's chunks go;
- article whose file is gone: its manifest record goes, then its chunks;
- article of a file that had a problem this time (``Corpus.keep``: a bad export row, a
  page with no main text): kept as it was indexed, until the file is fixed.

Readers only trust chunks whose hash matches the manifest, so a sync killed at any point
leaves every article answering from its old or its new version, never a mix. The store is
marked "dirty" while a sync runs; the next sync sees that, reuses chunks that were already
embedded and deletes leftover chunks that no manifest record points at.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index.chunk import chunk_article
from index.config import IndexSettings
from index.embed import Embedder, SpanEmbedder
from index.ingest import Corpus, load_corpus
from index.sentvec import SentenceVectorFiles, sentence_spans
from index.store import ChunkStore, article_hash, record_id
from index.types import Article, Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncReport:
    """What a sync did. Counts are of articles unless named otherwise."""

    articles: int
    chunks: int
    added: int
    updated: int
    removed: int
    unchanged: int
    embedded: int = 0
    duplicates: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    changed_ids: tuple[str, ...] = field(default=(), compare=False)
    kept: int = 0
    """Live articles not in the folder's articles, kept because their file had a problem."""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """One line for people.

        >>> SyncReport(5, 42, 5, 0, 0, 0, seconds=3.21).summary()
        'Indexed 5 articles, 42 chunks: 5 added, 0 updated, 0 removed, 0 unchanged in 3.2s'
        >>> SyncReport(5, 42, 0, 0, 0, 5, seconds=0.4).summary()
        'Index is up to date: 5 articles, 42 chunks (nothing changed) in 0.4s'
        >>> SyncReport(6, 42, 0, 0, 0, 5, seconds=0.4, kept=1).summary()[-58:]
        '(nothing changed; 1 kept from files with problems) in 0.4s'
        """
        kept = f"{self.kept} kept from files with problems" if self.kept else ""
        if not self.changed:
            return (
                f"Index is up to date: {self.articles} articles, {self.chunks} chunks "
                f"(nothing changed{'; ' + kept if kept else ''}) in {self.seconds:.1f}s"
            )
        return (
            f"Indexed {self.articles} articles, {self.chunks} chunks: {self.added} added, "
            f"{self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"
            f"{', ' + kept if kept else ''} in {self.seconds:.1f}s"
        )


def sync(
    corpus_dir: Path,
    settings: IndexSettings,
    embedder: Embedder,
    store: ChunkStore,
    progress: bool = True,
    corpus: Corpus | None = None,
) -> SyncReport:
    """Bring ``store`` in line with the articles in ``corpus_dir`` (incremental).

    Pass ``corpus`` when it was already loaded from ``corpus_dir`` (saves reading twice).
    """
    t0 = time.perf_counter()
    if corpus is None:
        corpus = load_corpus(Path(corpus_dir), settings)
    report = sync_articles(
        corpus.articles, settings, embedder, store, progress=progress, keep=corpus.keep
    )
    return dataclasses.replace(
        report,
        duplicates=corpus.duplicates,
        warnings=corpus.warnings,
        seconds=time.perf_counter() - t0,
    )


def sync_articles(
    articles: Sequence[Article],
    settings: IndexSettings,
    embedder: Embedder,
    store: ChunkStore,
    progress: bool = True,
    keep: Sequence[str] = (),
) -> SyncReport:
    """Make ``articles`` exactly the live set of ``store``; the core of :func:`sync`.

    Live articles not in ``articles`` are removed, except those that ``keep`` names: an
    exact id, or a prefix ending in ``#`` (every row of an export file).
    """
    t0 = time.perf_counter()
    live = store.live()
    wanted = {a.id: (a, article_hash(a)) for a in articles}
    added = [a for a, h in wanted.values() if a.id not in live]
    updated = [a for a, h in wanted.values() if a.id in live and live[a.id].article_hash != h]
    gone = set(live) - set(wanted)
    exact = {k for k in keep if not k.endswith("#")}
    prefixes = tuple(k for k in keep if k.endswith("#"))
    kept = {i for i in gone if i in exact or i.startswith(prefixes)} if keep else set()
    removed = sorted(gone - kept)
    moved = [  # same content, file now reached by another path: refresh the record only
        (a, h, live[a.id].n_chunks)
        for a, h in wanted.values()
        if a.id in live and live[a.id].article_hash == h and live[a.id].path != a.path
    ]
    files = store.sentence_files if isinstance(embedder, SpanEmbedder) else None
    # live and unchanged, but without sentence vectors (built by an older version): embedded
    # again. Not for a Chroma server, whose other clients may have indexed from elsewhere.
    unvectored = [
        a
        for a, h in wanted.values()
        if files is not None
        and not store.remote
        and a.id in live
        and live[a.id].article_hash == h
        and not files.has(h)
    ]
    resume = store.state() != "clean"
    embedded = 0
    if added or updated or removed or moved or resume or unvectored:
        store.set_state("dirty")
        versions = [(a, wanted[a.id][1]) for a in [*added, *updated, *unvectored]]
        embedded = _write(versions, set(live), settings, embedder, store, files, progress)
        store.set_live(moved)
        store.unset_live(removed)
        store.delete_stale(removed)
        if resume:
            n = store.delete_orphans()
            log.info("removed %d chunks left over by an interrupted sync", n)
        if store.sentence_files is not None:
            store.sentence_files.prune(a.article_hash for a in store.live().values())
        store.set_state("clean")
    return SyncReport(
        articles=len(wanted) + len(kept),
        chunks=store.count(),
        added=len(added),
        updated=len(updated),
        removed=len(removed),
        unchanged=len(wanted) - len(added) - len(updated),
        embedded=embedded,
        seconds=time.perf_counter() - t0,
        changed_ids=tuple(sorted([*(a.id for a in [*added, *updated]), *removed])),
        kept=len(kept),
    )


def _write(
    versions: list[tuple[Article, str]],
    was_live: set[str],
    settings: IndexSettings,
    embedder: Embedder,
    store: ChunkStore,
    files: SentenceVectorFiles | None,
    progress: bool,
) -> int:
    """Embed and store new article versions, switching each live once all its chunks are in.

    With ``files`` (the embedder is a :class:`SpanEmbedder`) the same pass also gives every
    sentence its vector, saved per article version before the switch; an article that a
    killed run left without its sentence file is embedded again whole. Returns how many
    chunks were embedded (chunks a killed run already stored are reused).
    """
    plan: list[tuple[Article, str, list[Chunk]]] = [
        (a, h, chunk_article(a, settings.chunk_tokens, settings.chunk_overlap)) for a, h in versions
    ]
    all_ids = [record_id(c.id, h) for _, h, chunks in plan for c in chunks]
    have = store.existing(all_ids)
    redo = {a.id for a, h, _ in plan if files is not None and not files.has(h)}
    todo = [
        (a, h, c)
        for a, h, chunks in plan
        for c in chunks
        if a.id in redo or record_id(c.id, h) not in have
    ]
    spans = {a.id: sentence_spans(a, chunks) for a, _, chunks in plan if a.id in redo}
    pooled: dict[str, dict[str, np.ndarray]] = {aid: {} for aid in spans}
    missing: dict[str, int] = {}
    for a, _, _c in todo:
        missing[a.id] = missing.get(a.id, 0) + 1
    ready = [(a, h, len(chunks)) for a, h, chunks in plan if a.id not in missing]
    _switch(store, ready, was_live)

    bar = tqdm(
        total=len(todo),
        unit="chunk",
        desc="Embedding",
        disable=not progress or not sys.stderr.isatty(),
    )
    by_id = {a.id: (a, h, len(chunks)) for a, h, chunks in plan}
    batch = settings.embed_batch_size
    with bar:
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            texts = [c.embed_text for _, _, c in part]
            if files is not None:
                assert isinstance(embedder, SpanEmbedder)
                wanted = [spans[a.id].spans[c.id] for a, _, c in part]
                vectors, span_vectors = embedder.embed_spans(texts, wanted)
                for (a, _, c), rows in zip(part, span_vectors, strict=True):
                    pooled[a.id][c.id] = rows
            else:
                vectors = embedder.embed(texts)
            store.add_chunks(part, vectors)
            bar.update(len(part))
            done: list[tuple[Article, str, int]] = []
            for a, h, _ in part:
                missing[a.id] -= 1
                if missing[a.id] == 0:
                    done.append(by_id[a.id])
                    if files is not None:
                        files.write(h, spans[a.id].combine(pooled.pop(a.id), embedder.dim))
            _switch(store, done, was_live)
    return len(todo)


def _switch(
    store: ChunkStore, versions: list[tuple[Article, str, int]], was_live: set[str]
) -> None:
    """Make these fully stored versions live, then drop their previous versions' chunks.

    New articles have no previous version (leftovers of a killed run are swept up by
    ``delete_orphans``), so only articles that were live are checked.
    """
    if not versions:
        return
    store.set_live(versions)
    store.delete_stale([a.id for a, _, _ in versions if a.id in was_live])
