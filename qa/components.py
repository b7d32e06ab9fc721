"""The answering models an :class:`qa.assistant.Assistant` uses, each built on first use
(or given to it: fakes and alternative backends), under one lock."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from qa.roles import TitleReader
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.answertype import AnswerTyper
    from qa.combine import Combiner
    from qa.entities import EntityTagger, NounChunker
    from qa.rerank import Reranker
    from qa.short import ShortModel
    from qa.timeframe import TenseReader

__all__ = ["Components"]


class Components:
    """The evidence ranker, combiner, answer typer, spaCy readers and short-answer model."""

    def __init__(
        self,
        settings: Settings,
        *,
        reranker: Reranker | None = None,
        combiner: Combiner | None = None,
        typer: AnswerTyper | None = None,
        tagger: EntityTagger | None = None,
        tenses: TenseReader | None = None,
    ) -> None:
        self.settings = settings
        self._reranker = reranker
        self._combiner = combiner
        self._typer = typer
        self._tagger = tagger
        self._tenses = tenses
        self._short_model: ShortModel | None = None
        self._chunker: NounChunker | None = None
        self._titles: TitleReader | None = None
        self._lock = threading.RLock()

    @property
    def learned(self) -> bool:
        """Whether answers come from the trained ranker, combiner and decision."""
        return self.settings.evidence_model == "learned"

    @property
    def reranker(self) -> Reranker:
        with self._lock:
            if self._reranker is None:
                from qa.rerank import get_reranker

                self._reranker = get_reranker(self.settings.reranker)
            return self._reranker

    @property
    def combiner(self) -> Combiner:
        with self._lock:
            if self._combiner is None:
                from qa.combine import load_combiner

                self._combiner = load_combiner()
            return self._combiner

    @property
    def typer(self) -> AnswerTyper:
        with self._lock:
            if self._typer is None:
                from qa.answertype import AnswerTyper

                self._typer = AnswerTyper()
            return self._typer

    @property
    def tagger(self) -> EntityTagger:
        with self._lock:
            if self._tagger is None:
                from qa.entities import EntityTagger

                self._tagger = EntityTagger()
            return self._tagger

    @property
    def chunker(self) -> NounChunker:
        with self._lock:
            if self._chunker is None:
                from qa.entities import NounChunker

                self._chunker = NounChunker()
            return self._chunker

    @property
    def titles(self) -> TitleReader:
        with self._lock:
            if self._titles is None:
                self._titles = TitleReader()
            return self._titles

    @property
    def short_model(self) -> ShortModel | None:
        """The learned short-answer candidate scorer (None: the best support wins)."""
        if self.settings.short_model != "learned":
            return None
        with self._lock:
            if self._short_model is None:
                from qa.short import ShortModel

                self._short_model = ShortModel()
            return self._short_model

    @property
    def tenses(self) -> TenseReader:
        """The parse of a question: its main clause's tense and its subordinate wh-words
        (spaCy's parser; see :mod:`qa.timeframe`)."""
        with self._lock:
            if self._tenses is None:
                from qa.timeframe import SpacyTense

                self._tenses = SpacyTense()
            return self._tenses
