"""The worked examples in module docstrings are tests too."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "index.config",
    "index.dates",
    "index.clean",
    "index.ingest",
    "index.files",
    "index.formats.fields",
    "index.formats.dating",
    "index.formats.markdown",
    "index.formats.html",
    "index.formats.exports",
    "index.formats.write",
    "qa.render",
    "qa.question",
    "qa.timeref",
    "qa.conversation",
    "qa.retrieve",
    "qa.evidence",
    "qa.upload",
    "qa.settings",
    "qa.cli",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} lost its worked examples"
    assert result.failed == 0
