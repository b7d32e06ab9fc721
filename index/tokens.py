"""Token counting with the cl100k_base encoding, loaded offline.

The encoding file ships inside llama-index-core; ``set_offline_env`` points tiktoken at it,
so nothing is downloaded.

>>> count_tokens("Kerry met Jaua in Antigua.")
10
>>> count_tokens("")
0
"""

from __future__ import annotations

import functools
import logging
import threading

import tiktoken

from index.config import set_offline_env
from index.errors import UserError

log = logging.getLogger(__name__)

ENCODING_NAME = "cl100k_base"
_lock = threading.Lock()


@functools.cache
def _load() -> tiktoken.Encoding:
    set_offline_env()
    try:
        return tiktoken.get_encoding(ENCODING_NAME)
    except Exception as e:  # tiktoken raises plain exceptions (network, file, value errors)
        raise UserError(
            f"Cannot load the {ENCODING_NAME} token encoding offline ({type(e).__name__}: {e}). "
            "It ships with llama-index-core; reinstall it with: pip install llama-index-core "
            "(or point TIKTOKEN_CACHE_DIR at a folder holding the cached encoding file)."
        ) from e


def encoding() -> tiktoken.Encoding:
    """The cached cl100k_base encoding (loaded once, thread-safe)."""
    with _lock:
        return _load()


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text``; special-token strings count as plain text.

    >>> count_tokens("<|endoftext|>") > 1
    True
    """
    if not text:
        return 0
    return len(encoding().encode_ordinary(text))
