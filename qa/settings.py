"""The one settings object: index settings plus retrieval and answering knobs.

Create it at the edge and pass it down::

    >>> s = Settings(top_k=3)
    >>> s.top_k, s.rrf_k
    (3, 60)

Environment variables use the ``QA_`` prefix (``QA_TOP_K=8``, ``QA_LLM_URL=...``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from index.config import IndexSettings

Mode = Literal["extractive", "generative"]


class Settings(IndexSettings):
    # retrieval
    top_k: int = Field(5, ge=1, le=20, description="Sources shown with an answer (max 20).")
    dense_k: int = Field(30, ge=1, le=500, description="Candidates from the vector search.")
    bm25_k: int = Field(30, ge=1, le=500, description="Candidates from BM25.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    dedupe_threshold: float = Field(
        0.95, ge=0, le=1, description="Word-set Jaccard above = a copy (collapsed)."
    )
    read_chunks: int = Field(
        16, ge=1, le=20, description="The best hits whose sentences the evidence stage scores."
    )
    allow_comments: bool = Field(False, description="Let reader comments be searched.")
    index_check_seconds: float = Field(
        0.5, ge=0, description="Changes made by other processes are seen within this time."
    )
    exact_search_max_chunks: int = Field(
        200_000,
        ge=0,
        description="Up to this many chunks, dense search is exact, in memory (1.5 KB a "
        "chunk); above it, Chroma's HNSW index answers.",
    )
    # answering
    evidence_model: Literal["learned", "weights"] = Field(
        "weights",
        description="learned: the trained ranker + combiner + calibrated decision (qa/models); "
        "weights: the first stage's hand-set weights and abstain_threshold alone.",
    )
    reranker: str = Field(
        "evidence-minilm", description="Reranker name (qa/rerank.py), or cross-encoder:<path>."
    )
    rerank_top: int = Field(
        6,
        ge=0,
        le=24,
        description="weights: for a which/what question the reranker orders the quotable "
        "sentences among the first stage's best N, so it picks the lead (0 = off).",
    )
    role_titles: bool = Field(
        True,
        description="A question about a role leads with the newest sentence (a past "
        "period's best) whose name carries a title close to the question (qa/roles.py).",
    )
    short_answers: bool = Field(True, description="Lead with a short answer when one is found.")
    short_model: Literal["learned", "support"] = Field(
        "learned",
        description="learned: the short-answer model (qa/models/short-answer) picks among the "
        "candidates; support: the best-supported candidate wins.",
    )
    short_min: float = Field(
        0.15,
        ge=0,
        description="weights: a short answer's support (type probability x evidence scores "
        "of the articles naming it) must reach this (learned: the combiner's own floor).",
    )
    mode: Mode = "extractive"
    abstain_threshold: float = Field(0.46, description="Evidence score below = abstain.")
    answer_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="learned: answer when the calibrated confidence reaches this (None = the "
        "combiner's threshold, chosen on train; 0 = always answer, for a sweep).",
    )
    max_answer_sentences: int = Field(3, ge=1, le=10)
    max_question_chars: int = Field(1000, ge=16, description="Longer questions are truncated.")
    # generation
    llm_backend: str = Field("smollm2", description="Generator registry name.")
    llm_url: str | None = Field(None, description="OpenAI-compatible endpoint URL.")
    llm_model: str | None = None
    llm_api_key: str | None = None
    max_new_tokens: int = Field(200, ge=1, le=1024)
    # serving
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    auth: str | None = Field(None, description="user:password for the chat page.")
