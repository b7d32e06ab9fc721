"""Chunks and their vectors in Chroma, plus a manifest of which article versions are live.

Two collections per index (both named after everything that changes the vectors):

- ``<name>`` holds one record per chunk *version*: id ``"<chunk id>@<article hash>"``,
  our own vector (cosine space), the chunk text as document, and metadata (article_id,
  chunk_id, title, published, published_sort, kind, start, end, article_hash).
- ``<name>__articles`` (the manifest) holds one record per live article: the body as
  document and the rest of the :class:`Article` as metadata, including ``article_hash``.

The manifest is the source of truth: a chunk is live only when its ``article_hash``
equals its article's manifest hash. Writers add new chunk versions first, switch the
manifest record second and delete old versions last, so readers always see each
article whole, in its old or its new version (see ``index.build``). Both collections
live in the same place, so this works the same with a local folder or a Chroma server.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.chunk import header
from index.config import IndexSettings
from index.dates import published_sort
from index.embed import Embedder
from index.errors import IndexCorrupt, IndexNotBuilt, UserError
from index.sentvec import SentenceVectorFiles
from index.types import Article, Chunk, ChunkKind, Comment

log = logging.getLogger(__name__)

SCHEMA = 1
MANIFEST_SUFFIX = "__articles"
_BATCH = 1000
_BUILD_HINT = "Build it with: qa index seeds/"
_REBUILD_HINT = "Rebuild it with: qa index seeds/ --rebuild"


def article_hash(article: Article) -> str:
    """Hash of everything about an article that ends up in the index.

    Includes the metadata as well as the text, so a corrected date or title also
    counts as a change; the file path does not (``seeds/`` and ``./seeds`` are the same).
    The link and author count only when present, so articles without them keep the hash
    they had before those fields existed (no re-embedding after an upgrade).

    >>> a = Article("a", "T", None, "unknown", None, "Body.")
    >>> article_hash(a) == article_hash(Article("a", "T", None, "unknown", None, "Body."))
    True
    >>> article_hash(a) == article_hash(Article("a", "T", "2024", "catalog", None, "Body."))
    False
    """
    fields = [
        article.id,
        article.title,
        article.published,
        article.date_source,
        article.source,
        article.body,
        [[c.author, c.text, c.start, c.end] for c in article.comments],
        article.content_hash,
        article.date_evidence,
    ]
    if article.url or article.author:
        fields += [article.url, article.author]
    blob = json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(blob).hexdigest()[:32]


def record_id(chunk_id: str, version: str) -> str:
    return f"{chunk_id}@{version[:16]}"


@dataclass(frozen=True)
class LiveArticle:
    """What the manifest says about one live article (metadata only, no body)."""

    id: str
    article_hash: str
    n_chunks: int
    path: str = ""


def _or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


class ChunkStore:
    """A chunk collection and its manifest. Build with :func:`open_store`."""

    def __init__(
        self,
        client: Any,
        name: str,
        location: str,
        dim: int,
        sentence_files: SentenceVectorFiles | None = None,
    ) -> None:
        self._client = client
        self.name = name
        self.location = location
        self.dim = dim
        self.sentence_files = sentence_files
        """Sentence vectors beside the collections (local files, even for a Chroma server)."""
        self.remote = location.startswith(("http://", "https://"))
        self._chunks = client.get_or_create_collection(
            name,
            # ef_search 400: recall@10 0.997 vs exact search at 10k chunks (0.988 at the
            # default 100) for ~0.2 ms more per query (qa bench).
            configuration={"hnsw": {"space": "cosine", "ef_search": 400}},
            embedding_function=None,
        )
        self._manifest = client.get_or_create_collection(
            name + MANIFEST_SUFFIX,
            metadata={"schema": SCHEMA, "generation": uuid.uuid4().hex, "state": "clean"},
            embedding_function=None,
        )
        schema = (self._manifest.metadata or {}).get("schema")
        if schema != SCHEMA:
            raise IndexCorrupt(
                f"The index {name} at {location} has layout {schema!r}, expected {SCHEMA}. "
                f"{_REBUILD_HINT}"
            )
        self._max_batch = min(_BATCH, int(client.get_max_batch_size()))
        self._cache_lock = threading.Lock()
        self._cache: tuple[str, dict[str, LiveArticle]] | None = None
        self._generation_seen: tuple[str, float] | None = None

    # -- reading ---------------------------------------------------------------------------
    def generation(self, max_age: float = 0.0) -> str:
        """Changes whenever the live set of articles changes (one small metadata read).

        ``max_age`` > 0 allows the value read at most that many seconds ago (writes through
        this store always read afresh), so a busy reader is not one read per question.
        """
        seen = self._generation_seen
        if max_age > 0 and seen is not None and time.monotonic() - seen[1] < max_age:
            return seen[0]
        meta = self._client.get_collection(self._manifest.name, embedding_function=None).metadata
        generation = str((meta or {}).get("generation", ""))
        self._generation_seen = (generation, time.monotonic())
        return generation

    def state(self) -> str:
        """ "clean", or "dirty" while a sync is running (or after one died midway)."""
        meta = self._client.get_collection(self._manifest.name, embedding_function=None).metadata
        return str((meta or {}).get("state", "clean"))

    def live(self) -> dict[str, LiveArticle]:
        """Live articles by id (cached per generation)."""
        gen = self.generation()
        with self._cache_lock:
            if self._cache is not None and self._cache[0] == gen:
                return self._cache[1]
        got = _get_all(self._manifest, ["metadatas"])
        live = {
            i: LiveArticle(
                i, str(m["article_hash"]), int(m.get("n_chunks", 0)), str(m.get("path", ""))
            )
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
        }
        with self._cache_lock:
            self._cache = (gen, live)
        return live

    def articles(self) -> dict[str, Article]:
        """Live articles rebuilt from the manifest, comments included."""
        got = _get_all(self._manifest, ["documents", "metadatas"])
        out: dict[str, Article] = {}
        for i, body, m in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
        ):
            comments = tuple(
                Comment(str(a), str(t), int(s), int(e))
                for a, t, s, e in json.loads(str(m["comments"]))
            )
            out[i] = Article(
                id=i,
                title=str(m["title"]),
                published=_or_none(m["published"]),
                date_source=m["date_source"],
                source=_or_none(m["source"]),
                body=body or "",
                comments=comments,
                content_hash=str(m["content_hash"]),
                path=str(m["path"]),
                date_evidence=_or_none(m["date_evidence"]),
                url=_or_none(m.get("url")),
                author=_or_none(m.get("author")),
            )
        return out

    def live_chunks(self) -> list[Chunk]:
        """Every live chunk, ordered by article, kind and offset."""
        live = self.live()
        got = _get_all(self._chunks, ["documents", "metadatas"])
        titles: dict[str, tuple[str, str]] = {}
        chunks: list[Chunk] = []
        for text, m in zip(got["documents"] or [], got["metadatas"] or [], strict=True):
            art = live.get(str(m["article_id"]))
            if art is None or art.article_hash != m["article_hash"]:
                continue
            kind: ChunkKind = "comment" if m["kind"] == "comment" else "body"
            titles.setdefault(art.id, (str(m["title"]), str(m["published"])))
            title, published = titles[art.id]
            head = header(Article(art.id, title, published or None, "unknown", None, ""), kind)
            chunks.append(
                Chunk(
                    id=str(m["chunk_id"]),
                    article_id=art.id,
                    kind=kind,
                    text=text or "",
                    start=int(m["start"]),
                    end=int(m["end"]),
                    embed_text=head + (text or ""),
                )
            )
        chunks.sort(key=lambda c: (c.article_id, c.kind, c.start, c.end))
        return chunks

    def query(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """The k live chunks nearest to ``vector``: ``(chunk_id, cosine similarity)``, best first.

        ``where`` is a Chroma metadata filter over the chunk metadata fields.
        """
        if k <= 0:
            return []
        live = self.live()
        total = self._chunks.count()
        if total == 0:
            return []
        q = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        n = min(total, k + 16)
        while True:
            res = self._chunks.query(
                query_embeddings=q, n_results=n, where=where, include=["metadatas", "distances"]
            )
            metas = (res["metadatas"] or [[]])[0]
            dists = (res["distances"] or [[]])[0]
            hits = [
                (str(m["chunk_id"]), 1.0 - float(d))
                for m, d in zip(metas, dists, strict=True)
                if (art := live.get(str(m["article_id"]))) and art.article_hash == m["article_hash"]
            ]
            if len(hits) >= k or len(metas) < n or n >= total:
                return hits[:k]
            n = min(total, n * 4)  # stale versions crowded the top: fetch more

    def get_vectors(self, chunk_ids: Sequence[str]) -> np.ndarray:
        """Vectors of live chunks, one row per id in order; KeyError for unknown ids."""
        live = self.live()
        found: dict[str, np.ndarray] = {}
        ids = list(dict.fromkeys(chunk_ids))
        for start in range(0, len(ids), self._max_batch):
            part = ids[start : start + self._max_batch]
            got = self._chunks.get(
                where={"chunk_id": {"$in": part}}, include=["embeddings", "metadatas"]
            )
            embs = got["embeddings"] if got["embeddings"] is not None else []
            for m, e in zip(got["metadatas"] or [], embs, strict=True):
                art = live.get(str(m["article_id"]))
                if art is not None and art.article_hash == m["article_hash"]:
                    found[str(m["chunk_id"])] = np.asarray(e, dtype=np.float32)
        missing = [c for c in ids if c not in found]
        if missing:
            raise KeyError(f"no live chunk with id {missing[0]!r}")
        if not chunk_ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[c] for c in chunk_ids])

    def live_vectors(self) -> dict[str, np.ndarray]:
        """Every live chunk's vector by chunk id, in one read (for exact in-memory search)."""
        live = self.live()
        got = _get_all(self._chunks, ["embeddings", "metadatas"])
        embs = got["embeddings"] if got["embeddings"] is not None else []
        out: dict[str, np.ndarray] = {}
        for m, e in zip(got["metadatas"] or [], embs, strict=True):
            art = live.get(str(m["article_id"]))
            if art is not None and art.article_hash == m["article_hash"]:
                out[str(m["chunk_id"])] = np.asarray(e, dtype=np.float32)
        return out

    def count(self) -> int:
        """Number of live chunks."""
        return sum(a.n_chunks for a in self.live().values())

    # -- writing (used by index.build) -----------------------------------------------------
    def existing(self, record_ids: Sequence[str]) -> set[str]:
        """Which of these chunk record ids are already stored (lets a resumed sync skip work)."""
        out: set[str] = set()
        for start in range(0, len(record_ids), self._max_batch):
            got = self._chunks.get(
                ids=list(record_ids[start : start + self._max_batch]), include=[]
            )
            out.update(got["ids"])
        return out

    def add_chunks(self, items: Sequence[tuple[Article, str, Chunk]], vectors: np.ndarray) -> None:
        """Store chunk versions: ``(article, article_hash, chunk)`` with one vector each.

        Not live until :meth:`set_live` points the manifest at that article hash.
        """
        for start in range(0, len(items), self._max_batch):
            part = items[start : start + self._max_batch]
            self._chunks.upsert(
                ids=[record_id(c.id, h) for _, h, c in part],
                embeddings=np.asarray(vectors[start : start + len(part)], dtype=np.float32),
                documents=[c.text for _, _, c in part],
                metadatas=[
                    {
                        "article_id": a.id,
                        "chunk_id": c.id,
                        "title": a.title,
                        "published": a.published or "",
                        "published_sort": published_sort(a.published),
                        "kind": c.kind,
                        "start": c.start,
                        "end": c.end,
                        "article_hash": h,
                    }
                    for a, h, c in part
                ],
            )

    def set_live(self, items: Sequence[tuple[Article, str, int]]) -> None:
        """Point the manifest at these versions: ``(article, article_hash, n_chunks)``."""
        for start in range(0, len(items), self._max_batch):
            part = items[start : start + self._max_batch]
            self._manifest.upsert(
                ids=[a.id for a, _, _ in part],
                embeddings=np.ones((len(part), 1), dtype=np.float32),
                documents=[a.body for a, _, _ in part],
                metadatas=[
                    {
                        "title": a.title,
                        "published": a.published or "",
                        "published_sort": published_sort(a.published),
                        "date_source": a.date_source,
                        "date_evidence": a.date_evidence or "",
                        "source": a.source or "",
                        "url": a.url or "",
                        "author": a.author or "",
                        "path": a.path,
                        "content_hash": a.content_hash,
                        "article_hash": h,
                        "n_chunks": n,
                        "comments": json.dumps(
                            [[c.author, c.text, c.start, c.end] for c in a.comments],
                            ensure_ascii=False,
                        ),
                    }
                    for a, h, n in part
                ],
            )
        if items:
            self._bump()

    def unset_live(self, article_ids: Iterable[str]) -> None:
        """Remove articles from the manifest (their chunks stop being live at once)."""
        ids = list(article_ids)
        for start in range(0, len(ids), self._max_batch):
            self._manifest.delete(ids=ids[start : start + self._max_batch])
        if ids:
            self._bump()

    def delete_stale(self, article_ids: Iterable[str]) -> int:
        """Delete chunks of these articles that are not their live version; returns how many."""
        live = self.live()
        stale: list[str] = []
        for aid in article_ids:
            got = self._chunks.get(where={"article_id": aid}, include=["metadatas"])
            art = live.get(aid)
            stale.extend(
                i
                for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
                if art is None or m["article_hash"] != art.article_hash
            )
        self._delete(stale)
        return len(stale)

    def delete_orphans(self) -> int:
        """Delete every chunk that is not live (leftovers of an interrupted sync)."""
        live = self.live()
        got = _get_all(self._chunks, ["metadatas"])
        stale = [
            i
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
            if (art := live.get(str(m["article_id"]))) is None
            or art.article_hash != m["article_hash"]
        ]
        self._delete(stale)
        return len(stale)

    def set_state(self, state: str) -> None:
        """Record "dirty" before a sync changes anything and "clean" once it has finished."""
        self._write_meta(state=state)

    def _delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), self._max_batch):
            self._chunks.delete(ids=ids[start : start + self._max_batch])

    def _bump(self) -> None:
        self._generation_seen = None
        self._write_meta(generation=uuid.uuid4().hex)

    def _write_meta(self, **changes: Any) -> None:
        col = self._client.get_collection(self._manifest.name, embedding_function=None)
        meta = dict(col.metadata or {})
        meta.update(changes)
        col.modify(metadata=meta)


GET_PAGE = 5000
"""Records per read: one unbounded ``get`` of ~20k records or more fails inside Chroma
("too many SQL variables", found by ``qa bench`` at 50k chunks)."""


def _get_all(collection: Any, include: list[str]) -> dict[str, list[Any]]:
    """Every record of ``collection`` (ids plus ``include``), read ``GET_PAGE`` at a time."""
    out: dict[str, list[Any]] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(include=include, limit=GET_PAGE, offset=offset)
        out["ids"].extend(got["ids"])
        for key in include:
            values = got.get(key)
            if values is not None:
                out[key].extend(values)
        if len(got["ids"]) < GET_PAGE:
            return out
        offset += GET_PAGE


def _http_client(url: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UserError(f"QA_CHROMA_URL {url!r} is not an http://host:port address.")
    ssl = parsed.scheme == "https"
    port = parsed.port or (443 if ssl else 8000)
    try:
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=port,
            ssl=ssl,
            settings=ChromaSettings(anonymized_telemetry=False),
        )
    except Exception as e:  # chromadb wraps connection failures in several types
        raise UserError(
            f"Cannot reach the Chroma server at {url} ({e}). Start it with: "
            "chroma run --path .qa/chroma --port "
            f"{port}, or unset QA_CHROMA_URL to use a local folder."
        ) from e


def _local_client(path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )


def _check_folder(path: Path, create: bool) -> None:
    db = path / "chroma.sqlite3"
    if path.exists() and not path.is_dir():
        raise IndexCorrupt(f"The index path {path} is a file, not a folder. {_REBUILD_HINT}")
    if path.is_dir() and not db.is_file() and any(path.iterdir()):
        raise IndexCorrupt(
            f"{path} holds files that are not a Chroma index. {_REBUILD_HINT} "
            "(the folder is moved aside, not deleted)"
        )
    if not create and not db.is_file():
        raise IndexNotBuilt(f"No index at {path}. {_BUILD_HINT}")


def _move_aside(path: Path) -> None:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    target = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    log.warning("moving unreadable index %s aside to %s", path, target)
    path.rename(target)


def open_store(
    settings: IndexSettings, embedder: Embedder, create: bool, rebuild: bool = False
) -> ChunkStore:
    """Open the index for these settings and this embedder.

    ``create=False`` raises :class:`IndexNotBuilt` when there is none yet; a folder that is
    not a readable Chroma index raises :class:`IndexCorrupt`. ``rebuild=True`` (implies
    create) starts from an empty index: it drops this index's collections and moves an
    unreadable folder aside.
    """
    name = settings.collection_name(embedder.model_id)
    if settings.chroma_url:
        client = _http_client(settings.chroma_url)
        location = settings.chroma_url
    else:
        path = settings.chroma_path
        location = str(path)
        try:
            _check_folder(path, create or rebuild)
            client = _local_client(path)
            client.list_collections()
        except IndexCorrupt:
            if not rebuild:
                raise
            _move_aside(path)
            client = _local_client(path)
        except IndexNotBuilt:
            raise
        except Exception as e:
            if not rebuild:
                raise IndexCorrupt(
                    f"Cannot open the index at {path} ({type(e).__name__}: {e}). {_REBUILD_HINT}"
                ) from e
            _move_aside(path)
            client = _local_client(path)
    try:
        existing = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
    except Exception as e:
        raise IndexCorrupt(
            f"Cannot list the collections at {location} ({type(e).__name__}: {e}). {_REBUILD_HINT}"
        ) from e
    if rebuild:
        try:
            for n in (name, name + MANIFEST_SUFFIX):
                if n in existing:
                    client.delete_collection(n)
        except Exception:
            if settings.chroma_url:
                raise
            _move_aside(settings.chroma_path)  # too damaged to drop collections: start afresh
            client = _local_client(settings.chroma_path)
    elif not create and name + MANIFEST_SUFFIX not in existing:
        raise IndexNotBuilt(
            f"No index at {location} for these settings (collection {name}). {_BUILD_HINT}"
        )
    files = SentenceVectorFiles(settings.data_dir / "sentence-vectors" / name)
    if rebuild:
        files.clear()
    try:
        store = ChunkStore(client, name, location, embedder.dim, files)
        store.live()  # read both collections now: a damaged database fails here, not mid-answer
        store._chunks.get(limit=1, include=[])
        return store
    except IndexCorrupt:
        raise
    except Exception as e:
        raise IndexCorrupt(
            f"Cannot open the index collections at {location} ({type(e).__name__}: {e}). "
            f"{_REBUILD_HINT}"
        ) from e
