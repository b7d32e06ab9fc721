"""Generic cleaning of a scraped news page: headline, article text, reader comments.

No per-site or per-file rules: only patterns that recur across news pages.

    >>> c = clean("WORLD\\n\\nMaduro wins vote\\n\\nCaracas voted.\\n\\n2 min read\\n\\n- AFP")
    >>> c.title, c.body, c.source, c.header_lines
    ('Maduro wins vote', 'Caracas voted.', 'AFP', ('WORLD', 'Maduro wins vote'))

What happens, in order:

1. Text is normalised: NFC, no BOM, ``\\n`` newlines, no-break spaces become spaces,
   zero-width characters go, every line is stripped.
2. Top of the page: page dates, section labels ("World and Nation", "LATIN AMERICA |
   21-08-2019 12:56"), breadcrumbs and boilerplate before the headline move to
   ``header_lines`` (kept there for date extraction). The headline is the first remaining
   line that reads like one (at most 30 words, not ending like a sentence); a short
   Title-Case or ALL-CAPS line counts as a section label only when another headline-like
   line follows it. No headline: ``title`` is "". When the title is known from metadata
   (front matter, an export's title, a web page's), ``clean(raw, title=...)`` skips this
   step and only drops lines repeating it. (YAML front matter is read before cleaning, by
   ``index.formats.markdown``.)
3. A "Comments"/"Reader Comments" heading splits off the reader comments (or, with
   ``comments_text``, the comments a reader already separated are used): each one is
   ``Comment(author, text, start, end)``, offsets into ``"\\n\\n".join(texts)``. An avatar
   line (one or two capitals) followed by a name line starts a comment; without avatars,
   each paragraph is a comment, its first line the author when it reads like a name.
4. In the article text: boilerplate lines go ("Share this article", "N min read",
   "Leave a Reply", comment policy, character counters, "More in ..."), standalone date
   lines ("Washington, Jan 10") move to ``header_lines`` (but several different ones are a
   timeline, and one with more than 5,000 characters of text above it is the story's: they
   stay in the text and date nothing), a line repeated right after itself or equal to the
   headline goes, a paragraph printed twice keeps only its last copy (the earlier one is
   typically a teaser or pull quote), and a closing agency
   sign-off ("- IANS", "(AFP)") becomes ``source``.
5. Paragraphs are joined by one blank line; lines inside a paragraph (a bullet list)
   stay on their own lines.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from index.dates import is_date_line
from index.types import Comment

__all__ = ["Cleaned", "clean", "normalize_text"]


@dataclass(frozen=True)
class Cleaned:
    """A page split into its parts. ``title`` is "" when no headline was found."""

    title: str
    body: str
    comments: tuple[Comment, ...]
    header_lines: tuple[str, ...]
    source: str | None = None


_TRANSLATE = {
    0x00A0: " ",
    0x2007: " ",
    0x202F: " ",
    0x200B: None,
    0x200C: None,
    0x200D: None,
    0x2060: None,
    0xFEFF: None,
    0x2028: "\n",
    0x2029: "\n",
}

_BOILERPLATE = [
    r"share (?:this|the) (?:article|story|post|page)\b.{0,20}",
    r"share(?: (?:on|via) \w+)?\s*:?",
    r"\d+\s*-?\s*min(?:ute)?s?\.? read",
    r"(?:leave|post|add|write) a (?:reply|comment|response)\b.{0,20}",
    r"cancel reply",
    r"your email address will not be published.*",
    r"required fields are marked\s*\*?",
    r"(?:minimum|maximum|min\.?|max\.?)\s*\d+\s*characters?.*",
    r".{0,30}\b\d+\s*/\s*\d+\s*characters?",
    r"more (?:in|from)\b[^.]{0,60}",
    r"advertisement|advertisment|sponsored(?: content)?|ad",
    r"(?:read more|read also|also read|related(?: articles| stories| news)?|recommended"
    r"|you may also like|trending)\s*:?",
    r"(?:read more|read also|also read|see also)\s*:\s*[^.!?]{1,150}",  # a teaser link's title
    r"(?:follow|subscribe to|like) us on\b.{0,60}",
    r"(?:tags|topics|filed under)\s*:.{0,200}",
    r"print(?: this (?:article|page))?|email(?: this (?:article|page))?",
    r"(?:we welcome|please keep|comments are|all comments|by commenting|comment policy"
    r"|community guidelines).{0,300}",
]
_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE), re.IGNORECASE)
_COMMENT_META_RE = re.compile(
    r"(?:reply|like|likes|report|share|\d+\s+(?:likes?|replies|repl(?:y|ies)))"
    r"|\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago",
    re.IGNORECASE,
)
_COMMENTS_HEADING_RE = re.compile(
    r"(?:readers?['’]?s?\s+)?comments?(?:\s*\(\d+\))?\s*:?|\d+\s+(?:reader\s+)?comments?",
    re.IGNORECASE,
)
_SIGNOFF_RE = re.compile(
    r"(?:[-–—]{1,2}\s*|\(\s*|source\s*:\s*)(?P<src>[A-Z][A-Za-z&.'’ ]{0,38}[A-Za-z.])\s*\)?"
)
_AVATAR_RE = re.compile(r"[A-Z]{1,2}")
_SMALL_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "&"}
_NAV_SPLIT = re.compile(r"\s+[|›»>/]\s+")


def normalize_text(raw: str) -> str:
    """NFC, ``\\n`` newlines, no BOM or zero-width characters, no-break spaces as spaces.

    >>> normalize_text("\\ufeffa\\u00a0b\\r\\nc\\rd")
    'a b\\nc\\nd'
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).translate(_TRANSLATE)


def _is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE_RE.fullmatch(line))


def _words(line: str) -> list[str]:
    return line.split()


def _is_section_label(line: str) -> bool:
    """Short ALL-CAPS or Title-Case line without sentence punctuation ("World and Nation")."""
    words = _words(line)
    if not 1 <= len(words) <= 5 or len(line) > 40 or line[-1] in ".!?,;:\"'”’":
        return False
    if not any(c.isalpha() for c in line):
        return False
    if line.isupper():
        return True
    return all(not w[0].isalpha() or w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)


def _is_navigation(line: str) -> bool:
    """A breadcrumb: "Home > World > Americas", "News | Latin America"."""
    parts = _NAV_SPLIT.split(line)
    return len(parts) >= 2 and all(_is_section_label(p) for p in parts)


def _ends_like_sentence(line: str) -> bool:
    return line.rstrip("\"'”’)]»").endswith((".", ";", ":", ","))


def _headline_like(line: str) -> bool:
    words = _words(line)
    return (
        1 <= len(words) <= 30
        and len(line) <= 250
        and not _ends_like_sentence(line)
        and not _is_boilerplate(line)
        and not _COMMENTS_HEADING_RE.fullmatch(line)
        and not is_date_line(line)
    )


def _strip_markdown_heading(line: str) -> str:
    line = re.sub(r"^#{1,6}\s+", "", line)
    m = re.fullmatch(r"(\*\*|__)(.+)\1", line)
    return m.group(2).strip() if m else line


def _next_nonblank(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i]), None)


def _headline(lines: list[str], pos: int, header: list[str]) -> tuple[int, str]:
    """Move labels and dates above the headline to ``header``; return (body start, title)."""
    while (i := _next_nonblank(lines, pos)) is not None:
        line = lines[i]
        if is_date_line(line) or _is_navigation(line) or _is_boilerplate(line):
            header.append(line)
            pos = i + 1
            continue
        if _is_section_label(line):
            j = _next_nonblank(lines, i + 1)
            if j is not None and _headline_like(lines[j]):
                header.append(line)
                pos = i + 1
                continue
        if not _headline_like(line):
            return i, ""
        header.append(line)
        pos = i + 1
        while (j := _next_nonblank(lines, pos)) is not None and lines[j] == line:
            pos = j + 1
        return pos, _strip_markdown_heading(line)
    return pos, ""


def _paragraphs(lines: list[str]) -> list[list[str]]:
    paras: list[list[str]] = [[]]
    for line in lines:
        if line:
            paras[-1].append(line)
        elif paras[-1]:
            paras.append([])
    return [p for p in paras if p]


DATELINE_WITHIN_CHARS = 5000
"""A standalone date line with more article text than this above it is not a dateline."""


def _body(lines: list[str], title: str, header: list[str]) -> tuple[list[list[str]], str | None]:
    """Clean article lines into paragraphs; returns (paragraphs, agency sign-off)."""
    kept: list[str] = []
    previous = ""
    for line in lines:
        if line and (_is_boilerplate(line) or line == previous or line in (title, f"# {title}")):
            continue
        kept.append(line)
        previous = line or previous
    paras = _paragraphs(kept)
    dated = [i for i, p in enumerate(paras) if len(p) == 1 and is_date_line(p[0])]
    # one date line near the top is the dateline; several different ones are a list (a
    # timeline), and one deep in the text belongs to the story
    if len({paras[i][0] for i in dated}) == 1 and (
        sum(len(line) for p in paras[: dated[0]] for line in p) <= DATELINE_WITHIN_CHARS
    ):
        header.append(paras[dated[0]][0])
        paras = [p for i, p in enumerate(paras) if i not in dated]
    last_copy = {"\n".join(p): i for i, p in enumerate(paras)}
    paras = [
        p
        for i, p in enumerate(paras)
        if len(_words(" ".join(p))) < 5 or last_copy["\n".join(p)] == i
    ]
    source = None
    if paras and len(paras[-1]) == 1:
        m = _SIGNOFF_RE.fullmatch(paras[-1][0])
        if m and len(_words(m.group("src"))) <= 4 and _is_section_label(m.group("src")):
            source = m.group("src")
            paras.pop()
    return paras, source


def _is_name(line: str) -> bool:
    words = _words(line)
    return (
        1 <= len(words) <= 5
        and len(line) <= 40
        and line[0].isupper()
        and line[-1] not in ".!?:,;"
        and not any(c.isdigit() for c in line)
    )


def _comments(lines: list[str]) -> tuple[Comment, ...]:
    """Reader comments after the comments heading (see the module doc)."""
    kept = [
        ln for ln in lines if not ln or not (_is_boilerplate(ln) or _COMMENT_META_RE.fullmatch(ln))
    ]
    items: list[tuple[str, list[str]]] = []
    nonblank = [ln for ln in kept if ln]
    with_avatars = any(
        _AVATAR_RE.fullmatch(a) and _is_name(b) for a, b in itertools.pairwise(nonblank)
    )
    if with_avatars:
        i = 0
        while i < len(nonblank):
            line = nonblank[i]
            after = nonblank[i + 1] if i + 1 < len(nonblank) else ""
            if _AVATAR_RE.fullmatch(line) and after and _is_name(after):
                items.append((after, []))
                i += 2
                continue
            if not items:
                items.append(("", []))
            items[-1][1].append(line)
            i += 1
    else:
        for para in _paragraphs(kept):
            if len(para) >= 2 and _is_name(para[0]):
                items.append((para[0], para[1:]))
            else:
                items.append(("", para))
    comments: list[Comment] = []
    offset = 0
    for author, text_lines in items:
        text = "\n".join(text_lines)
        if not text:
            continue
        if comments:
            offset += 2
        comments.append(Comment(author=author, text=text, start=offset, end=offset + len(text)))
        offset += len(text)
    return tuple(comments)


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in normalize_text(text).split("\n")]


def clean(raw: str, title: str | None = None, comments_text: str | None = None) -> Cleaned:
    """Split a raw page into headline, article text, reader comments and metadata lines.

    ``title``: the headline is known (from metadata), so none is searched for.
    ``comments_text``: the reader comments, already apart from ``raw``.

        >>> c = clean("Oil deal\\n\\nIt was signed.", title="Oil deal", comments_text="Great!")
        >>> c.title, c.body, [x.text for x in c.comments]
        ('Oil deal', 'It was signed.', ['Great!'])
    """
    lines = _lines(raw)
    header: list[str] = []
    if title:
        title = " ".join(normalize_text(title).split())
        pos = 0
    else:
        pos, title = _headline(lines, 0, header)
    rest = lines[pos:]
    split = len(rest)
    if comments_text is None:
        split = next(
            (
                i
                for i, ln in enumerate(rest)
                if _COMMENTS_HEADING_RE.fullmatch(ln) and _next_nonblank(rest, i + 1) is not None
            ),
            len(rest),
        )
    paras, source = _body(rest[:split], title, header)
    body = "\n\n".join("\n".join(p) for p in paras)
    comments = _comments(rest[split + 1 :] if comments_text is None else _lines(comments_text))
    return Cleaned(
        title=title, body=body, comments=comments, header_lines=tuple(header), source=source
    )
