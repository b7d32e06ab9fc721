"""The pipeline a user would otherwise build with llama-index, as the benchmark's baseline.

``SentenceSplitter`` with its defaults, a ``VectorStoreIndex`` over a ``ChromaVectorStore``,
the same embedding model passed explicitly (never llama-index's global ``Settings``), and
the answer is the best retrieved chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.embed import Embedder, as_llama_index
from index.types import Article


@dataclass
class NaivePipeline:
    """A built llama-index vector index and a retriever over it."""

    index: Any
    retriever: Any
    nodes: int

    def answer(self, question: str) -> str:
        """The text of the best chunk for ``question`` ("" when the index is empty)."""
        nodes = self.retriever.retrieve(question)
        return str(nodes[0].node.get_content()) if nodes else ""


def build_naive(
    articles: Sequence[Article],
    path: Path,
    index_embedder: Embedder,
    query_embedder: Embedder,
    top_k: int = 5,
) -> NaivePipeline:
    """Index ``articles`` the naive way into a Chroma folder at ``path``.

    ``index_embedder`` embeds the chunks (the benchmark passes a caching wrapper),
    ``query_embedder`` the questions (the plain model, so query time is real).
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.indices.vector_store.retrievers import VectorIndexRetriever
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = client.get_or_create_collection("naive", embedding_function=None)
    store = ChromaVectorStore(chroma_collection=collection)
    documents = [
        Document(text=a.body, metadata={"title": a.title, "published": a.published or ""})
        for a in articles
    ]
    index = VectorStoreIndex.from_documents(
        documents,
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=as_llama_index(index_embedder),
        transformations=[SentenceSplitter()],
    )
    retriever = VectorIndexRetriever(
        index, similarity_top_k=top_k, embed_model=as_llama_index(query_embedder)
    )
    return NaivePipeline(index, retriever, collection.count())
