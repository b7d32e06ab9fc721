"""User-facing errors: each names the problem and the command that fixes it.

The CLI prints ``str(error)`` on one line and exits with ``error.exit_code``; no traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake or missing piece the user can fix; never a bug."""

    exit_code = 2


class CorpusError(UserError):
    """The corpus folder or a file in it cannot be used."""


class IndexNotBuilt(UserError):
    """No index exists yet for these settings."""


class IndexCorrupt(UserError):
    """The index folder exists but cannot be opened."""


class ModelMissing(UserError):
    """A packaged model (embedder or generator) is not installed."""
