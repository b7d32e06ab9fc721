"""Article files in the forms people have them, each read to :class:`Found` values.

| suffix          | format         | articles per file | reader                          |
|-----------------|----------------|-------------------|---------------------------------|
| ``.txt .md``    | "text"         | one               | the text itself (``clean``)     |
| ``.txt .md``    | "front matter" | one               | :func:`markdown.read_markdown`  |
| ``.html .htm``  | "html"         | one               | :func:`html.read_html`          |
| ``.jsonl``      | "jsonl"        | many (a line)     | :func:`exports.read_jsonl`      |
| ``.csv``        | "csv"          | many (a row)      | :func:`exports.read_csv`        |

``read_file(path, settings)`` picks the reader by suffix. A file that cannot be used at
all (too large, binary, unreadable, no main text, no text column) is a ``CorpusError``;
problems inside a file (a bad row, a date that does not parse) are warnings beside the
articles that were read. :mod:`index.formats.write` writes articles in each format.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import CorpusError
from index.files import BINARY_SIGNATURES, decode_text, read_bytes, read_text_file
from index.formats.found import Found

if TYPE_CHECKING:  # index.config imports index.formats.fields: no import cycle at run time
    from index.config import IndexSettings

__all__ = [
    "EXPORT_SUFFIXES",
    "PAGE_SUFFIXES",
    "SUFFIXES",
    "TEXT_SUFFIXES",
    "FileProblem",
    "Found",
    "read_file",
]

TEXT_SUFFIXES = (".txt", ".md")
PAGE_SUFFIXES = (".html", ".htm")
EXPORT_SUFFIXES = (".jsonl", ".csv")
SUFFIXES = TEXT_SUFFIXES + PAGE_SUFFIXES + EXPORT_SUFFIXES


class FileProblem(CorpusError):
    """A file that yields no article for a reason inside it (not a refusal by size or type).

    ``qa index`` reports it and exits 0: the rest is indexed, and articles indexed from the
    file before are kept until it is fixed.
    """


def _page(path: Path, settings: IndexSettings) -> Found:
    from trafilatura.utils import decode_file

    from index.formats.html import read_html

    data = read_bytes(path, settings.max_page_bytes, "QA_MAX_PAGE_BYTES / max_page_bytes")
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data[:4096]:
        decode_text(data, path)  # raises the one-line "not a text file" error
    try:
        found = read_html(decode_file(data), str(path))
    except ValueError as e:
        raise FileProblem(str(e)) from e
    size = len(found.text.encode("utf-8", "surrogatepass"))
    if size > settings.max_file_bytes:
        raise CorpusError(
            f"{path}: its main text is {size:,} bytes, over the {settings.max_file_bytes:,}-byte "
            "article limit: raise the limit (QA_MAX_FILE_BYTES / max_file_bytes)."
        )
    return found


def read_file(path: Path, settings: IndexSettings) -> tuple[list[Found], list[str]]:
    """The articles of one file and the warnings about parts of it that were skipped."""
    suffix = path.suffix.lower()
    names = settings.field_names()
    if suffix in PAGE_SUFFIXES:
        return [_page(path, settings)], []
    if suffix in EXPORT_SUFFIXES:
        from index.formats.exports import read_csv, read_jsonl

        limit = "QA_MAX_EXPORT_BYTES / max_export_bytes"
        text = read_text_file(path, settings.max_export_bytes, limit)
        reader = read_jsonl if suffix == ".jsonl" else read_csv
        return reader(text, str(path), names, settings.max_file_bytes)
    from index.formats.markdown import read_markdown

    text = read_text_file(path, settings.max_file_bytes)
    found_one, warnings = read_markdown(text, str(path), names)
    return [found_one], warnings
