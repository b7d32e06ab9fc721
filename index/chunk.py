"""Sentence splitting and token-bounded, sentence-aligned chunks with exact offsets.

Every chunk keeps ``(start, end)`` into the text it came from, and
``article.body[chunk.start:chunk.end] == chunk.text`` (``article.comments_text`` for
reader comments) always holds, so a citation can quote the article verbatim.

>>> from index.types import Article
>>> body = "Kerry met Jaua. They agreed to talk.\\n\\nU.S. officials said so."
>>> a = Article(id="a1", title="Talks", published="2013-06-05", date_source="dateline",
...             source=None, body=body)
>>> [c.text for c in chunk_article(a, max_tokens=16, overlap=0)]
['Kerry met Jaua. They agreed to talk.', 'U.S. officials said so.']
>>> chunk_article(a)[0].embed_text.splitlines()[0]
'Talks (2013-06-05)'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from index.tokens import count_tokens, encoding
from index.types import Article, Chunk, ChunkKind

Span = tuple[int, int]

_TERMINATOR = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+")
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n\s*")
_OPENERS = "\"'“‘«([„"
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_ABBREVIATION_WORDS = """mr mrs ms messrs dr prof sen rep gov gen col lt sgt capt cmdr adm maj
rev hon pres atty supt det insp st jr sr inc corp ltd co bros vs mt ft ave blvd rd
jan feb mar apr jun jul aug sep sept oct nov dec approx dept est fig vol"""
ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
"""Words that end in a period without ending a sentence ("Mr. Kerry", "Jan. 5")."""


def split_sentences(text: str) -> list[Span]:
    """Sentence spans ``(start, end)`` of ``text``, whitespace trimmed, in order.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus closing quotes) followed by
    whitespace and an upper-case letter, a digit or a quote; a blank line always ends one.
    Abbreviations ("Mr.", "Jan.", "U.S.") and initials ("John T. McNamara") do not.
    Every non-whitespace character lies in exactly one span.

    >>> t = "U.S. officials met Mr. Jaua on Jan. 5. John T. McNamara spoke. “Yes,” he said."
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['U.S. officials met Mr. Jaua on Jan. 5.', 'John T. McNamara spoke.', '“Yes,” he said.']
    >>> split_sentences("  \\n ")
    []
    """
    spans: list[Span] = []
    pos = 0
    for m in _PARAGRAPH.finditer(text):
        spans.extend(_sentences_in(text, pos, m.start()))
        pos = m.end()
    spans.extend(_sentences_in(text, pos, len(text)))
    return spans


def _sentences_in(text: str, start: int, end: int) -> Iterator[Span]:
    pos = start
    for m in _TERMINATOR.finditer(text, start, end):
        nxt = m.end()
        if nxt >= end or not _starts_sentence(text, nxt, end):
            continue
        if _is_abbreviation(text, m.start(), m.group()):
            continue
        yield from _trimmed(text, pos, m.end())
        pos = m.end()
    yield from _trimmed(text, pos, end)


def _starts_sentence(text: str, i: int, end: int) -> bool:
    c = text[i]
    if c in _OPENERS:
        return True
    return c.isupper() or c.isdigit()


def _is_abbreviation(text: str, dot: int, terminator: str) -> bool:
    """True when the single period at ``dot`` closes an abbreviation or an initial."""
    if not terminator.startswith(".") or terminator.startswith(".."):
        return False
    k = dot
    while k > 0 and not text[k - 1].isspace():
        k -= 1
    word = text[k:dot].lstrip(_OPENERS)
    if not word:
        return False
    if len(word) == 1:
        return word.isupper()  # an initial: "John T. McNamara"
    return word.lower() in ABBREVIATIONS or _INITIALISM.fullmatch(word) is not None


def _trimmed(text: str, start: int, end: int) -> Iterator[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield (start, end)


def split_long(text: str, start: int, end: int, max_tokens: int) -> list[Span]:
    """Cut ``text[start:end]`` at token boundaries into pieces of at most max_tokens tokens.

    Token boundaries that fall inside a character (one emoji can be several tokens) move
    back to the character boundary. A piece holds at least one character, so only with
    ``max_tokens < 4`` can a single character exceed the limit.

    >>> t = "x" * 100  # "xxxxxxxx" is one token
    >>> [(e - s, count_tokens(t[s:e])) for s, e in split_long(t, 0, len(t), 5)]
    [(40, 5), (40, 5), (20, 3)]
    """
    enc = encoding()
    block = max(64, max_tokens * 8)  # chars; rarely more than 8 per token
    pieces: list[Span] = []
    p = start
    while True:
        while p < end and text[p].isspace():
            p += 1
        if p >= end:
            return pieces
        limit = min(end, p + block)
        tokens = enc.encode_ordinary(text[p:limit])
        if len(tokens) <= max_tokens:
            q = limit
        else:
            nbytes = sum(len(enc.decode_single_token_bytes(t)) for t in tokens[:max_tokens])
            q = max(p + 1, p + _chars_within_bytes(text[p:limit], nbytes))
        while q > p + 1 and count_tokens(text[p:q]) > max_tokens:
            q -= 1
        pieces.extend(_trimmed(text, p, q))
        p = q


def _chars_within_bytes(s: str, nbytes: int) -> int:
    """How many leading characters of ``s`` fit in ``nbytes`` UTF-8 bytes.

    >>> _chars_within_bytes("a😀b", 3)  # the emoji needs 4 bytes
    1
    """
    return len(s.encode("utf-8")[:nbytes].decode("utf-8", "ignore"))


def windows(text: str, spans: list[Span], max_tokens: int, overlap: int) -> list[Span]:
    """Group sentence spans into windows of at most max_tokens tokens.

    Consecutive windows share whole trailing sentences worth at most ``overlap`` tokens.
    Sentences longer than max_tokens are first cut with :func:`split_long`.

    >>> t = "One two. Three four. Five six."
    >>> [t[s:e] for s, e in windows(t, split_sentences(t), max_tokens=8, overlap=3)]
    ['One two. Three four.', 'Three four. Five six.']
    """
    units: list[Span] = []
    sizes: list[int] = []
    for s, e in spans:
        n = count_tokens(text[s:e])
        if n <= max_tokens:
            units.append((s, e))
            sizes.append(n)
        else:
            for piece in split_long(text, s, e, max_tokens):
                units.append(piece)
                sizes.append(count_tokens(text[piece[0] : piece[1]]))

    out: list[Span] = []
    i = 0
    while i < len(units):
        j = _extend(text, units, sizes, i, max_tokens)
        out.append((units[i][0], units[j][1]))
        if j == len(units) - 1:
            break
        i = _next_start(text, units, sizes, i, j, max_tokens, overlap)
    return out


def _extend(text: str, units: list[Span], sizes: list[int], i: int, max_tokens: int) -> int:
    """Index of the last unit of the longest window starting at unit i that fits."""
    total = sizes[i]
    j = i
    while j + 1 < len(units) and total + sizes[j + 1] + 1 <= max_tokens:
        j += 1
        total += sizes[j] + 1
    # the estimate above counts each sentence alone; check the real window text
    while j > i and count_tokens(text[units[i][0] : units[j][1]]) > max_tokens:
        j -= 1
    return j


def _next_start(
    text: str,
    units: list[Span],
    sizes: list[int],
    i: int,
    j: int,
    max_tokens: int,
    overlap: int,
) -> int:
    """First unit of the next window: trailing sentences of window i..j up to ``overlap``
    tokens, keeping room for at least one new sentence (so every window adds text)."""
    k = j + 1
    carried = 0
    while k - 1 > i and carried + sizes[k - 1] <= overlap:
        k -= 1
        carried += sizes[k]
    while k <= j and _extend(text, units, sizes, k, max_tokens) <= j:
        k += 1
    return k


def chunk_id(article_id: str, kind: ChunkKind, text: str, start: int) -> str:
    """Stable id: the same text at the same place always gets the same id.

    >>> chunk_id("a1", "body", "Hello.", 0)
    'a1::body::9b56d519ccd9::0'
    """
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{article_id}::{kind}::{digest}::{start}"


def header(article: Article, kind: ChunkKind = "body") -> str:
    """The line the embedder sees before a chunk's text.

    >>> from index.types import Article
    >>> header(Article("a", "Talks", None, "unknown", None, ""))
    'Talks\\n'
    >>> header(Article("a", "Talks", "2024-07", "dateline", None, ""), "comment")
    'Talks (2024-07), reader comment\\n'
    """
    head = article.title.strip()
    if article.published:
        head = f"{head} ({article.published})".strip()
    if kind == "comment":
        head = f"{head}, reader comment" if head else "Reader comment"
    return f"{head}\n" if head else ""


def _make(article: Article, kind: ChunkKind, source: str, span: Span) -> Chunk:
    s, e = span
    text = source[s:e]
    return Chunk(
        id=chunk_id(article.id, kind, text, s),
        article_id=article.id,
        kind=kind,
        text=text,
        start=s,
        end=e,
        embed_text=header(article, kind) + text,
    )


def chunk_article(article: Article, max_tokens: int = 200, overlap: int = 40) -> list[Chunk]:
    """Sentence-aligned windows of at most max_tokens cl100k tokens, body then comments.

    Body chunks index into ``article.body``; comment chunks (kind "comment") index into
    ``article.comments_text``, one per comment unless a comment is longer than max_tokens.
    Consecutive body chunks overlap by whole sentences worth at most ``overlap`` tokens.
    The only way a chunk exceeds max_tokens is ``max_tokens < 4``, where one character
    can need more tokens than allowed (see :func:`split_long`).

    >>> from index.types import Article, Comment
    >>> a = Article(id="a", title="T", published=None, date_source="unknown", source=None,
    ...             body="Short body.", comments=(Comment("ann", "I disagree.", 0, 11),))
    >>> [(c.kind, c.text, c.start, c.end) for c in chunk_article(a)]
    [('body', 'Short body.', 0, 11), ('comment', 'I disagree.', 0, 11)]
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    body = article.body
    chunks = [
        _make(article, "body", body, w)
        for w in windows(body, split_sentences(body), max_tokens, overlap)
    ]
    joined = article.comments_text
    offset = 0
    for comment in article.comments:
        spans = [(s + offset, e + offset) for s, e in split_sentences(comment.text)]
        chunks.extend(
            _make(article, "comment", joined, w) for w in windows(joined, spans, max_tokens, 0)
        )
        offset += len(comment.text) + 2  # comments_text joins comments with "\n\n"
    return chunks
