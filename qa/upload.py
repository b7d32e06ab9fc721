"""Saving a user's article (upload or paste) into the corpus folder, safely.

>>> safe_name("../../etc/passwd.txt")
'passwd.txt'
>>> safe_name("Maduro speech (draft).md")
'Maduro-speech-draft.md'
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from index.errors import UserError
from qa.timeref import parse_bound

ALLOWED_SUFFIXES = (".txt", ".md")


class UploadRefused(UserError):
    """An uploaded or pasted article that cannot be accepted."""


def safe_name(filename: str) -> str:
    """A base name of letters, digits, '.', '_' and '-' only; directories are dropped."""
    base = re.split(r"[\\/]", filename.strip())[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, "txt"
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-._")
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix).lower()
    if not stem:
        raise UploadRefused(f"File name {filename!r} has no usable characters; rename it.")
    if f".{suffix}" not in ALLOWED_SUFFIXES:
        raise UploadRefused(f"Only .txt and .md articles can be added, not {filename!r}.")
    return f"{stem[:80]}.{suffix}"


def save_article(
    corpus_dir: Path,
    text: str,
    *,
    title: str | None,
    published: str | None,
    filename: str | None,
    max_bytes: int,
) -> Path:
    """Write the article (title line, date line, body) atomically; never overwrite another."""
    body = (text or "").replace("\r\n", "\n").strip()
    if not body:
        raise UploadRefused("The article is empty: paste or upload its text.")
    if "\x00" in body:
        raise UploadRefused("The article looks binary (NUL bytes): upload a .txt or .md file.")
    if published:
        parse_bound(published)  # raises ValueError naming the expected format
    title = " ".join((title or "").split())
    parts = [p for p in (title, published.strip() if published else "", body) if p]
    content = "\n\n".join(parts) + "\n"
    try:
        data = content.encode("utf-8")
    except UnicodeEncodeError as e:  # lone surrogates: a str can hold them, a file cannot
        raise UploadRefused(
            f"The article has characters that are not valid Unicode (at {e.start}): "
            "save it as UTF-8 text and add it again."
        ) from e
    if len(data) > max_bytes:
        raise UploadRefused(
            f"The article is {len(data):,} bytes; the limit is {max_bytes:,} (QA_MAX_FILE_BYTES)."
        )
    digest = hashlib.sha256(data).hexdigest()[:10]
    name = safe_name(filename) if filename else safe_name(f"{title[:60] or 'article'}-{digest}.txt")
    corpus_dir.mkdir(parents=True, exist_ok=True)
    target = (corpus_dir / name).resolve()
    if target.parent != corpus_dir.resolve():
        raise UploadRefused(f"Refusing to write outside the corpus folder: {filename!r}.")
    if target.exists() and target.read_bytes() != data:
        raise UploadRefused(f"An article named {name} already exists; choose another file name.")
    fd, tmp = tempfile.mkstemp(dir=corpus_dir, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
