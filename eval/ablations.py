"""Ablations of the hand-written mechanisms in ``qa/``: each one switched off for a run.

A mechanism earns its place only while switching it off makes the dev figures worse
(README "Rules earn their place"). Each ablation is a context manager that replaces the
mechanism with its neutral form for the duration of a benchmark row (``product-no-<name>``
in ``--systems``); rows run one after another, so the swap is never seen by another row.
This is measurement scaffolding for ``qa eval`` only: the product has no switch for it.

=================  ====================================================================
``bridges``        "his successor" / "the embassy that X assessed" resolved and asked again
``anchors``        "... after X?": only articles from X's date on
``intervals``      "how long after X did Y?": two dated sentences subtracted
``answerability``  the checks of qa/answerable.py (a name for "who", the thing for "what X")
``coverage``       quotes lacking most of the question's IDF-weighted words need a lead close
                   in meaning (the whole answer's check)
``absent``         refusing when the question names something no article mentions
``details``        an article lacking a figure or a quoted phrase the question gives, discounted
``focus``          the second search over the question's period / the newest articles
``titles``         "who runs X": a leader's title next to X stands for the verb
``cues``           the answer-cue regexes (a name / date / place / number in the sentence)
``surnames``       a surname covering the full name the question gives
``period``         the time-frame fit of a sentence (article date, relative dates)
``tie``            who: a new name next to the question's words
``kin``            a place the question names, written as its adjective ("Japanese")
``typed``          which/what: the cue from spaCy's entities and the learned answer type
``newest``         present-time who: the newest articles naming what the question names searched
``rerank``         which/what: the trained ranker picking which quotable sentence leads (learned,
                   switched off here for comparison)
``roles``          role questions (present time, a past period): the newest (the period's
                   best) name whose title is close to the question leads (qa/roles.py; also
                   ``role_titles`` in the settings)
=================  ====================================================================

``cues``, ``surnames``, ``titles`` and ``period`` change the features the combiner reads; for
those a fair ablation also refits the combiner without them (``refits``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any
from unittest import mock

__all__ = ["ABLATIONS", "REFITS", "ablated"]


def _none(*_: Any, **__: Any) -> None:
    return None


def _patches(name: str) -> list[tuple[str, Any]]:
    from qa import question

    table: dict[str, list[tuple[str, Any]]] = {
        "bridges": [
            ("qa.assistant.find_bridge", _none),
            ("qa.assistant.find_clause_bridge", _none),
        ],
        "anchors": [("qa.assistant.parse_anchor", _none)],
        "intervals": [("qa.assistant.parse_interval", _none)],
        "answerability": [("qa.compose.unanswered", _none)],
        "coverage": [("qa.compose.MOSTLY_MISSING", None)],
        "absent": [("qa.assistant.missing_entities", lambda *_: ())],
        "details": [("qa.evidence.missing_details", lambda *_: ())],
        "focus": [("qa.assistant.focus", _none)],
        "titles": [("qa.question.alternatives", lambda *_: ())],
        "cues": [("qa.evidence.answer_cue", lambda *_: 0.5)],
        "surnames": [("qa.evidence.surnames", lambda *_: {})],
        "period": [("qa.evidence.in_period", lambda *_, **__: 0.0)],
        "tie": [("qa.evidence.tie", lambda *_, **__: 0.0)],
        "kin": [("qa.evidence.kin_forms", lambda *_: {})],
        "typed": [("qa.assistant.TYPED_TYPES", frozenset())],
        "newest": [("qa.focus.NEWEST_NAMING", 0)],
        "rerank": [("qa.assistant.reorder", lambda _q, evidence, *_: list(evidence))],
        "roles": [("qa.compose.holders", lambda *_, **__: ([], []))],
    }
    if name not in table:
        raise KeyError(name)
    _ = question  # imported so the patched attribute exists
    return table[name]


ABLATIONS = (
    "bridges", "anchors", "intervals", "answerability", "coverage", "absent", "details", "focus",
    "titles", "cues", "surnames", "period", "tie", "kin", "typed", "newest", "rerank", "roles",
)  # fmt: skip
REFITS = frozenset({"cues", "surnames", "titles", "period"})


def _clear_caches() -> None:
    from qa import question

    for value in vars(question).values():
        clear: Callable[[], None] | None = getattr(value, "cache_clear", None)
        if clear is not None:
            clear()


@contextmanager
def ablated(*names: str) -> Iterator[None]:
    """Switch the named mechanisms off inside the ``with`` block."""
    with ExitStack() as stack:
        for name in names:
            for target, replacement in _patches(name):
                cm: AbstractContextManager[Any] = mock.patch(target, replacement)
                stack.enter_context(cm)
        _clear_caches()
        try:
            yield
        finally:
            _clear_caches()


def parse_row(system: str) -> tuple[str, ...] | None:
    """The ablations a ``product-no-<a>[+<b>]`` row names (None for any other row).

    >>> parse_row("product-no-bridges+anchors"), parse_row("product")
    (('bridges', 'anchors'), None)
    """
    if not system.startswith("product-no-"):
        return None
    names = tuple(system.removeprefix("product-no-").split("+"))
    unknown = [n for n in names if n not in ABLATIONS]
    if unknown:
        from index.errors import UserError

        raise UserError(
            f"Unknown ablation(s) {', '.join(unknown)} in {system}; choose from: "
            f"{', '.join(ABLATIONS)}"
        )
    return names


class AblatedProduct:
    """The product with some mechanisms switched off (and, where given, a combiner refit
    without them)."""

    def __init__(self, assistant: Any, names: tuple[str, ...], combiner: Any = None) -> None:
        from qa.assistant import with_settings

        self.name = "product-no-" + "+".join(names)
        self.names = names
        self.assistant = with_settings(assistant)
        if combiner is not None:
            self.assistant._combiner = combiner
        self.refit = combiner is not None

    @property
    def gives_short(self) -> bool:
        return bool(self.assistant.settings.short_answers)

    def answer(self, question: str) -> Any:
        from eval.systems import Output, _retrieved

        with ablated(*self.names):
            a = self.assistant.ask(question)
        return Output(a, _retrieved([*a.citations, *a.related]))


ABLATED_COMBINERS = "ablated-combiners"
"""Under the benchmark's work dir (``.qa/realtimeqa``): one combiner folder per refit
ablation (``qa train --ablations``)."""


def refit_combiner(names: tuple[str, ...], work: Any = None) -> Any:
    """The combiner refit without the named mechanisms, when ``qa train --ablations`` made
    one (None otherwise: the row then runs with the shipped combiner, and says so)."""
    from pathlib import Path

    from qa.combine import load_combiner

    if not REFITS.intersection(names):
        return None
    folder = Path(work or ".qa/realtimeqa") / ABLATED_COMBINERS / "+".join(names)
    return load_combiner(folder) if (folder / "combiner.json").is_file() else None
