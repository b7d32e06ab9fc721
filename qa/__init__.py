"""Grounded, time-aware question answering over a news corpus.

>>> from qa import Assistant          # doctest: +SKIP
>>> Assistant().ask("Who met Elías Jaua in Guatemala?").text  # doctest: +SKIP

``Assistant`` is imported lazily so that ``qa --help`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qa.settings import Settings
from qa.types import Answer, Citation, Hit

if TYPE_CHECKING:
    from qa.assistant import Assistant

__all__ = ["Answer", "Assistant", "Citation", "Hit", "Settings"]


def __getattr__(name: str) -> Any:
    if name == "Assistant":
        from qa.assistant import Assistant

        return Assistant
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
