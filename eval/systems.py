"""The systems ``qa eval`` compares, each behind one method: ``answer(question) -> Output``.

Same questions, same corpus, same embedding model; the rows differ in one stage each, so the
value of every stage shows in the table:

=========  ==============================================================================
``bm25``   BM25 only over our chunks; the answer is the best chunk, cited whole
``dense``  dense (Chroma) only over our chunks; the answer is the best chunk
``hybrid`` both, fused by reciprocal rank; the answer is the best chunk
``product`` hybrid + evidence scoring + composer: ``Assistant.ask`` with default settings
``best_sentence``  the one sentence of the corpus closest to the question by the packaged
           embedder (the sentence vectors the indexer stored): the floor any answerer must clear
``naive``  what a user would otherwise write with llama-index: ``SentenceSplitter`` defaults
           (1024 tokens, 200 overlap) + an in-memory ``VectorStoreIndex`` + a top-k retriever;
           the answer is the best chunk, mapped back to its article through the doc metadata
=========  ==============================================================================

The chunk-answer systems never abstain: they always return their best chunk (only a search
that finds nothing at all gives an empty, abstained answer). ``Output.retrieved`` is the
ranked list the retrieval metrics read: the chunks for the chunk-answer systems, and for the
product what it shows (its cited sentences, or the related passages when it declines).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from index.chunk import split_sentences
from index.sentvec import KINDS
from index.types import Article
from qa.assistant import Assistant
from qa.compose import citation_for
from qa.question import analyze
from qa.retrieve import Filters, HybridRetriever
from qa.types import Answer, Citation

if TYPE_CHECKING:
    from index.embed import Embedder

__all__ = [
    "ABLATIONS",
    "SYSTEMS",
    "BestSentenceSystem",
    "ChunkSystem",
    "NaiveSystem",
    "Output",
    "ProductSystem",
    "Retrieved",
    "System",
]

SYSTEMS: tuple[str, ...] = ("bm25", "dense", "hybrid", "product", "naive")
ABLATIONS: dict[str, tuple[bool, bool]] = {
    "bm25": (False, True),
    "dense": (True, False),
    "hybrid": (True, True),
}
"""Ablation name -> (use_dense, use_bm25)."""


@dataclass(frozen=True)
class Retrieved:
    """One ranked item: the text a system surfaced and the article it came from."""

    article_id: str
    kind: str
    text: str


@dataclass(frozen=True)
class Output:
    answer: Answer
    retrieved: tuple[Retrieved, ...]


class System(Protocol):
    """A compared system: a name and one method."""

    name: str

    def answer(self, question: str) -> Output: ...


def _retrieved(citations: Sequence[Citation]) -> tuple[Retrieved, ...]:
    seen: set[tuple[str, str, int, int]] = set()
    out = []
    for c in citations:
        key = (c.article_id, c.kind, c.start, c.end)
        if key not in seen:
            seen.add(key)
            out.append(Retrieved(c.article_id, c.kind, c.quote))
    return tuple(out)


def chunk_answer(citations: Sequence[Citation], timings: dict[str, float]) -> Answer:
    """The best chunk, cited whole, as an Answer; empty and abstained when nothing was found.

    Every sentence of the chunk carries the marker, as a system citing per sentence would.

    >>> c = Citation(1, "a1", "T", None, "Kerry met Jaua. They talked.", 0, 28)
    >>> chunk_answer([c], {}).text
    'Kerry met Jaua. [1] They talked. [1]'
    """
    if not citations:
        return Answer(text="", abstained=True, timings_ms=timings)
    best = replace(citations[0], n=1)
    sentences = [" ".join(best.quote[s:e].split()) for s, e in split_sentences(best.quote)]
    text = " ".join(f"{s} [1]" for s in sentences if s)
    return Answer(text=text, citations=(best,), related=tuple(citations[1:]), timings_ms=timings)


class ProductSystem:
    """The product: ``Assistant.ask`` as a user gets it."""

    def __init__(self, assistant: Assistant, name: str = "product") -> None:
        self.assistant = assistant
        self.name = name

    @property
    def gives_short(self) -> bool:
        """Whether its answers lead with a short answer (then exact match is measured)."""
        return self.assistant.settings.short_answers

    def answer(self, question: str) -> Output:
        a = self.assistant.ask(question)
        return Output(a, _retrieved([*a.citations, *a.related]))


class ChunkSystem:
    """An ablation over the product's own index: BM25 and/or dense, answer = best chunk.

    The question goes through the same analysis and spelling correction as in the product.
    """

    def __init__(
        self, name: str, assistant: Assistant, use_dense: bool, use_bm25: bool, k: int = 10
    ) -> None:
        s = assistant.settings
        self.name = name
        self.assistant = assistant
        self.use_dense = use_dense
        self.k = k
        self.retriever = HybridRetriever(
            store=assistant.store,
            dense_k=s.dense_k,
            bm25_k=s.bm25_k,
            rrf_k=s.rrf_k,
            dedupe_threshold=s.dedupe_threshold,
            use_dense=use_dense,
            use_bm25=use_bm25,
        )

    def answer(self, question: str) -> Output:
        t_all = time.perf_counter()
        snap = self.assistant.snapshot()
        terms = analyze(question, correct=snap.correct).terms
        timings: dict[str, float] = {}
        qvec = None
        if self.use_dense:
            t = time.perf_counter()
            qvec = self.assistant.embedder.embed([question])[0]
            timings["embed_query"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        hits = self.retriever.search(snap, terms, qvec, Filters())[: self.k]
        timings["search"] = (time.perf_counter() - t) * 1000
        cites = [
            citation_for(snap, n, h.article_id, h.kind, h.start, h.end, h.fused)
            for n, h in enumerate(hits, start=1)
        ]
        timings["total"] = (time.perf_counter() - t_all) * 1000
        answer = chunk_answer(cites, timings)
        return Output(replace(answer, question=question), _retrieved(cites))


class NaiveSystem:
    """The llama-index pipeline a user would write, with our packaged embedding model.

    The model goes in as ``embed_model=`` (never llama-index's global ``Settings``) and no
    LLM is involved: retrieval only. The article id rides in each document's metadata (kept
    out of the embedded text) and comes back on every node.
    """

    name = "naive"

    def __init__(self, articles: Sequence[Article], embedder: Embedder, top_k: int = 10) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        from index.embed import as_llama_index

        self.articles = {a.id: a for a in articles}
        documents = [
            Document(
                text=a.body,
                metadata={"article_id": a.id, "title": a.title, "published": a.published or ""},
                excluded_embed_metadata_keys=["article_id"],
                excluded_llm_metadata_keys=["article_id"],
            )
            for a in articles
        ]
        nodes = SentenceSplitter().get_nodes_from_documents(documents)
        self.n_chunks = len(nodes)
        self.index: Any = VectorStoreIndex(nodes, embed_model=as_llama_index(embedder))
        self.retriever: Any = self.index.as_retriever(similarity_top_k=top_k)

    def answer(self, question: str) -> Output:
        t = time.perf_counter()
        nodes = self.retriever.retrieve(question)
        elapsed = (time.perf_counter() - t) * 1000
        cites = []
        for n, scored in enumerate(nodes, start=1):
            node = scored.node
            aid = str(node.metadata["article_id"])
            a = self.articles[aid]
            start = node.start_char_idx if node.start_char_idx is not None else 0
            text = str(node.get_content())
            end = node.end_char_idx if node.end_char_idx is not None else start + len(text)
            cites.append(
                Citation(
                    n,
                    aid,
                    a.title,
                    a.published,
                    text,
                    start,
                    end,
                    "body",
                    float(scored.score or 0.0),
                )
            )
        answer = chunk_answer(cites, {"retrieve": elapsed, "total": elapsed})
        return Output(replace(answer, question=question), _retrieved(cites))


class BestSentenceSystem:
    """The single body sentence of the corpus whose stored vector is closest to the question's.

    Never abstains; ``retrieved`` lists the ten closest sentences. Articles indexed without
    sentence vectors take no part.
    """

    name = "best_sentence"

    def __init__(self, assistant: Assistant, k: int = 10) -> None:
        self.assistant = assistant
        self.k = k
        self._matrix: tuple[str, np.ndarray, list[tuple[str, int, int]]] | None = None

    def _sentences(self) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
        snap = self.assistant.snapshot()
        if self._matrix is None or self._matrix[0] != snap.generation:
            body = KINDS.index("body")
            rows, where = [], []
            for aid, matrix in snap.sentence_vectors.items():
                keep = matrix.keys[:, 0] == body
                rows.append(np.asarray(matrix.vectors[keep], dtype=np.float32))
                where += [(aid, int(s), int(e)) for _, s, e in matrix.keys[keep].tolist()]
            dim = self.assistant.embedder.dim
            stacked = np.concatenate(rows) if rows else np.zeros((0, dim), dtype=np.float32)
            self._matrix = (snap.generation, stacked, where)
        return self._matrix[1], self._matrix[2]

    def answer(self, question: str) -> Output:
        t_all = time.perf_counter()
        vectors, where = self._sentences()
        t = time.perf_counter()
        qvec = np.asarray(self.assistant.embedder.embed([question])[0], dtype=np.float32)
        timings = {"embed_query": (time.perf_counter() - t) * 1000}
        t = time.perf_counter()
        scores = vectors @ qvec if len(where) else np.zeros(0, dtype=np.float32)
        top = np.argsort(-scores)[: self.k] if len(where) else np.zeros(0, dtype=np.int64)
        timings["search"] = (time.perf_counter() - t) * 1000
        snap = self.assistant.snapshot()
        cites = [
            citation_for(snap, n, where[i][0], "body", where[i][1], where[i][2], float(scores[i]))
            for n, i in enumerate(top.tolist(), start=1)
        ]
        timings["total"] = (time.perf_counter() - t_all) * 1000
        if not cites:
            return Output(Answer(text="", abstained=True, timings_ms=timings), ())
        best = cites[0]
        text = f"{' '.join(best.quote.split())} [1]"
        answer = Answer(text=text, citations=(best,), question=question, timings_ms=timings)
        return Output(answer, _retrieved(cites))
