"""The Gradio chat page over ``qa.Assistant``: ``build_app(assistant)`` and ``serve(settings)``.

Imported lazily by ``qa chat`` so that the CLI starts without loading Gradio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ui.app import build_app, serve

__all__ = ["build_app", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ui import app

        return getattr(app, name)
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
