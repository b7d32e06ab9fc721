"""An immutable in-memory view of the live index: articles, chunks, BM25 and term statistics.

Built once per index generation and swapped atomically, so concurrent questions always see one
consistent corpus (never half an article) and nothing is re-read per query.
"""

from __future__ import annotations

import logging
import math
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import bm25s
import numpy as np

from index.chunk import split_sentences
from index.errors import IndexCorrupt
from index.sentvec import KINDS, SentenceMatrix
from index.types import Article, Chunk
from qa.question import content_terms, content_words, fold, stem
from qa.timeref import CALENDAR_WORDS, sort_key

if TYPE_CHECKING:
    from index.store import ChunkStore

logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article (or of its comments): ``source_text[start:end] == text``."""

    article_id: str
    kind: str
    start: int
    end: int
    text: str


@dataclass
class Snapshot:
    """``chunk_vectors`` (one row per chunk, optional) allow exact dense search in memory;
    ``sentence_vectors`` (per article id, optional) are the ones computed while indexing."""

    generation: str
    articles: dict[str, Article]
    chunks: list[Chunk]
    chunk_vectors: np.ndarray | None = None
    sentence_vectors: dict[str, SentenceMatrix] = field(default_factory=dict)
    by_id: dict[str, int] = field(init=False)
    bm25: bm25s.BM25 | None = field(init=False)
    doc_freq: Counter[str] = field(init=False)  # stemmed term -> number of chunks
    word_freq: Counter[str] = field(init=False)  # folded word -> number of chunks
    chunk_sort: np.ndarray = field(init=False)
    chunk_is_body: np.ndarray = field(init=False)
    chunk_article: np.ndarray = field(init=False)
    article_index: dict[str, int] = field(init=False)
    _sentences: dict[tuple[str, str], list[Sentence]] = field(init=False, default_factory=dict)
    _folded: dict[tuple[str, str], str] = field(init=False, default_factory=dict)
    _deletion_index: dict[str, dict[str, tuple[str, ...]]] = field(init=False, default_factory=dict)
    _rows: dict[str, dict[tuple[int, int, int], int]] = field(init=False, default_factory=dict)
    _last_scores: tuple[bytes, np.ndarray] | None = field(init=False, default=None)
    _last_bm25: tuple[tuple[str, ...], np.ndarray] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self.word_freq = Counter()
        token_lists = []
        for c in self.chunks:
            words = content_words(c.text)
            self.word_freq.update(set(words))
            token_lists.append([stem(w) for w in words])
        self.doc_freq = Counter()
        for toks in token_lists:
            self.doc_freq.update(set(toks))
        self.bm25 = None
        if self.chunks:
            self.bm25 = bm25s.BM25()
            self.bm25.index([t or ["\u2205"] for t in token_lists], show_progress=False)
        self.article_index = {aid: i for i, aid in enumerate(sorted(self.articles))}
        self.chunk_sort = np.array(
            [sort_key(self.articles[c.article_id].published) for c in self.chunks], dtype=np.int64
        )
        self.chunk_is_body = np.array([c.kind == "body" for c in self.chunks], dtype=bool)
        self.chunk_article = np.array(
            [self.article_index[c.article_id] for c in self.chunks], dtype=np.int64
        )

    @property
    def n_chunks(self) -> int:
        return len(self.chunks)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every stemmed term of every article title and body."""
        terms: set[str] = set(self.doc_freq)
        for a in self.articles.values():
            terms.update(content_terms(a.title))
        return frozenset(terms)

    @cached_property
    def article_sort(self) -> dict[str, int]:
        """Date sort key of each dated article (see ``qa.timeref.sort_key``)."""
        return {a.id: sort_key(a.published) for a in self.articles.values() if a.published}

    @cached_property
    def newest_first(self) -> tuple[str, ...]:
        """Ids of the dated articles, newest first."""
        keys = self.article_sort
        return tuple(sorted(keys, key=keys.__getitem__, reverse=True))

    @property
    def now(self) -> str | None:
        """The corpus's "now": the newest article date (what "last year" is read against)."""
        first = next(iter(self.newest_first), None)
        return None if first is None else self.articles[first].published

    @cached_property
    def oldest_first_keys(self) -> list[int]:
        """The date keys of ``newest_first`` in ascending order (for bisecting a period)."""
        keys = self.article_sort
        return [keys[aid] for aid in reversed(self.newest_first)]

    def dated_between(self, lo: int, hi: int) -> list[str]:
        """Ids of the articles whose date can lie in [lo, hi] (a month-precise key ends in
        00 and covers the month), by bisection over the sorted dates."""
        keys = self.oldest_first_keys
        first, last = bisect_left(keys, lo - 99), bisect_right(keys, hi)
        ids = self.newest_first
        n = len(ids)
        return [ids[n - 1 - i] for i in range(first, last)]

    @cached_property
    def folded_text(self) -> str:
        """Every title and body, accent- and case-folded (for "is X mentioned at all")."""
        return "\n".join(fold(a.title + "\n" + a.body) for a in self.articles.values())

    def _deletions(self, letter: str) -> dict[str, tuple[str, ...]]:
        """The corpus words of 4+ letters that begin with ``letter``, by each string one
        deletion away from them. Built per letter on first use (a correction begins as the
        misspelt word does), so the first misspelt question reads a fraction of the
        vocabulary, not all of it (all of it took ~0.36 s at 10k chunks)."""
        index = self._deletion_index.get(letter)
        if index is None:
            built: dict[str, list[str]] = {}
            for word in self.word_freq:
                if word[0] == letter and len(word) >= 4 and word.isalpha():
                    for d in _deletes(word):
                        built.setdefault(d, []).append(word)
            index = self._deletion_index[letter] = {k: tuple(v) for k, v in built.items()}
        return index

    def correct(self, word: str) -> str:
        """The corpus word within one edit of a misspelt folded ``word`` (most frequent wins).

        Words the corpus has, short ones, numbers and calendar words are returned unchanged.
        """
        if word in self.word_freq or len(word) < 4 or not word.isalpha() or word in CALENDAR_WORDS:
            return word
        index = self._deletions(word[0])
        candidates: set[str] = set(index.get(word, ()))
        for d in _deletes(word):
            if d in self.word_freq:
                candidates.add(d)
            candidates.update(index.get(d, ()))
        candidates = {c for c in candidates if c[0] == word[0]}
        if not candidates:
            return word
        return max(sorted(candidates), key=lambda c: self.word_freq[c])

    def idf(self, term: str) -> float:
        n = max(len(self.chunks), 1)
        df = self.doc_freq.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def source_text(self, article_id: str, kind: str) -> str:
        a = self.articles[article_id]
        return a.body if kind == "body" else a.comments_text

    def folded(self, article_id: str, kind: str) -> str:
        """Title and text (body or comments) of an article, folded once and cached."""
        key = (article_id, kind)
        cached = self._folded.get(key)
        if cached is None:
            a = self.articles[article_id]
            cached = self._folded[key] = fold(a.title + "\n" + self.source_text(article_id, kind))
        return cached

    def sentences(self, article_id: str, kind: str) -> list[Sentence]:
        """The article's sentences with exact offsets, split once and cached (the indexer's
        sentence-vector file already lists them: then nothing is split here)."""
        key = (article_id, kind)
        cached = self._sentences.get(key)
        if cached is None:
            text = self.source_text(article_id, kind)
            matrix = self.sentence_vectors.get(article_id)
            if matrix is not None:
                code = KINDS.index(kind)
                spans = [(s, e) for k, s, e in matrix.keys.tolist() if k == code]
            else:
                spans = split_sentences(text)
            cached = [Sentence(article_id, kind, s, e, text[s:e]) for s, e in spans]
            self._sentences[key] = cached
        return cached

    def dense_scores(self, qvec: np.ndarray) -> np.ndarray:
        """Cosine of ``qvec`` with every chunk (needs ``chunk_vectors``); the last result is
        kept, as one question searches several times with the same vector."""
        assert self.chunk_vectors is not None
        q = np.asarray(qvec, dtype=np.float32)
        key = q.tobytes()
        last = self._last_scores
        if last is not None and last[0] == key:
            return last[1]
        scores = self.chunk_vectors @ q
        self._last_scores = (key, scores)
        return scores

    def bm25_scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk for these (known) terms; the last result is kept."""
        assert self.bm25 is not None
        key = tuple(terms)
        last = self._last_bm25
        if last is not None and last[0] == key:
            return last[1]
        scores = np.asarray(self.bm25.get_scores(list(terms)))
        self._last_bm25 = (key, scores)
        return scores

    def stored_vector(self, s: Sentence) -> np.ndarray | None:
        """The indexer's vector for this sentence (float32), or None when it has none."""
        matrix = self.sentence_vectors.get(s.article_id)
        if matrix is None:
            return None
        rows = self._rows.get(s.article_id)
        if rows is None:
            keys = matrix.keys.tolist()
            rows = self._rows[s.article_id] = {(k, a, b): i for i, (k, a, b) in enumerate(keys)}
        row = rows.get((KINDS.index(s.kind), s.start, s.end))
        if row is None:
            return None
        vec = matrix.vectors[row].astype(np.float32)
        return vec if vec.any() else None

    def sentences_in(self, chunk: Chunk) -> list[Sentence]:
        return [
            s
            for s in self.sentences(chunk.article_id, chunk.kind)
            if s.start < chunk.end and s.end > chunk.start
        ]


def _deletes(term: str) -> set[str]:
    """All strings one deletion away: ``sorted(_deletes("abc")) == ["ab", "ac", "bc"]``."""
    return {term[:i] + term[i + 1 :] for i in range(len(term))}


def read_snapshot(store: ChunkStore, exact: bool = True, attempts: int = 50) -> Snapshot:
    """A snapshot whose every chunk slices its article exactly, read while syncs may run.

    Articles and chunks are two reads; a sync that switches an article between them would
    pair one version's text with another's chunks (or chunks with no article), so such a
    read is retried until both come from one state of the index. With ``exact`` the chunk
    vectors come too (for exact search in memory); sentence vectors are read from the
    indexer's files of the live article versions.
    """
    for attempt in range(attempts):
        generation = store.generation()
        live = store.live()
        articles, chunks = store.articles(), store.live_chunks()
        whole = all(
            c.article_id in articles
            and (articles[c.article_id].body if c.kind == "body" else
                 articles[c.article_id].comments_text)[c.start : c.end] == c.text
            for c in chunks
        )  # fmt: skip
        vectors = None
        if exact and whole:
            by_id = store.live_vectors()
            whole = all(c.id in by_id for c in chunks)
            if whole and chunks:
                vectors = np.stack([by_id[c.id] for c in chunks])
        if whole and store.generation() == generation:
            files = store.sentence_files
            sentences = {}
            if files is not None:
                for aid in articles:
                    matrix = files.read(live[aid].article_hash) if aid in live else None
                    if matrix is not None and matrix.fits(articles[aid]):
                        sentences[aid] = matrix
            return Snapshot(generation, articles, chunks, vectors, sentences)
        time.sleep(0.01 * (attempt + 1))
    raise IndexCorrupt(
        f"The index at {store.location} has passages that do not match their articles. "
        "Rebuild it with: qa index seeds/ --rebuild"
    )
