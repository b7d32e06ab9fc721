"""Reading one file safely: a size limit, binary content refused, text decoded.

    >>> decode_text("Café\\r\\n".encode("cp1252"), Path("x.txt"))
    'Café\\n'

Every problem is a one-line ``CorpusError`` naming the file and what to do about it.
"""

from __future__ import annotations

import codecs
import logging
import unicodedata
from pathlib import Path

from index.errors import CorpusError

__all__ = ["BINARY_SIGNATURES", "decode_text", "read_bytes", "read_text_file"]

logger = logging.getLogger(__name__)

BINARY_SIGNATURES = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0",
)


def _not_text(path: Path, why: str) -> CorpusError:
    return CorpusError(
        f"{path} is not a text file ({why}): only UTF-8 or Latin-1 text can be indexed; "
        "convert it to plain text or remove it."
    )


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252/Latin-1; binary is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise _not_text(path, "broken UTF-16") from e
    else:
        if data.startswith(BINARY_SIGNATURES):
            raise _not_text(path, "binary file signature")
        if b"\x00" in data:
            raise _not_text(path, "contains NUL bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
            logger.info("%s is not valid UTF-8: read as Latin-1 (cp1252)", path)
    controls = sum(1 for ch in text if ch not in "\t\n\r\f\v" and unicodedata.category(ch) == "Cc")
    if "\x00" in text or controls > len(text) * 0.01:
        raise _not_text(path, f"{controls} control characters")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(
    path: Path, max_bytes: int, setting: str = "QA_MAX_FILE_BYTES / max_file_bytes"
) -> bytes:
    """The file's bytes; over ``max_bytes``, unreadable or empty is a ``CorpusError``.

    ``setting`` names the limit in the message, so the user knows which one to raise.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(
                f"{path} is {size:,} bytes, over the {max_bytes:,}-byte limit: split it, or "
                f"raise the limit ({setting})."
            )
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except PermissionError as e:
        raise CorpusError(f"{path} cannot be read (permission denied): chmod a+r {path}") from e
    except OSError as e:
        raise CorpusError(f"{path} cannot be read ({e.strerror or e}).") from e
    if len(data) > max_bytes:
        raise CorpusError(f"{path} grew past the {max_bytes:,}-byte limit while being read.")
    if not data.strip():
        raise CorpusError(
            f"{path} is empty (or only whitespace): add the article text or remove it."
        )
    return data


def read_text_file(
    path: Path, max_bytes: int, setting: str = "QA_MAX_FILE_BYTES / max_file_bytes"
) -> str:
    """The file's text with ``\\n`` newlines; any problem is a one-line ``CorpusError``.

    Refused: files over ``max_bytes``, unreadable files, binary content, empty files.
    """
    text = decode_text(read_bytes(path, max_bytes, setting), path)
    if not text.strip():
        raise CorpusError(
            f"{path} is empty (or only whitespace): add the article text or remove it."
        )
    return text
