"""Answers as HTML for the chat page: numbered, dated sources with the cited span marked.

Every piece of article text, quote and answer goes through ``html.escape`` before it meets
markup, so an article cannot inject HTML or script into the page. Output is one line (literal
newlines become ``&#10;``): the chat renders Markdown, and a blank line would end the HTML block.

>>> c = Citation(1, "a1", "Talks <begin>", "2019-08-21", "met", 5, 8)
>>> "<mark>met</mark>" in render_citation(c, None)
True
>>> render_text("Kerry met Jaua [1].")
'<p class="qa-text">Kerry met Jaua <sup class="qa-ref">[1]</sup>.</p>'
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from index.types import Article
from qa.timeref import human_date
from qa.types import Answer, Citation, ShortAnswer

ABSTAIN_LABEL = "Not in the articles"
COMMENT_LABEL = "Reader comment · opinion, not reported fact"
CONTEXT_CHARS = 220
"""Characters of surrounding text shown around a quote (cut at sentence or paragraph ends)."""
QUOTE_CHARS = 420
"""Longer quotes (whole passages offered as related reading) are shortened in the summary."""
ARTICLE_CHARS = 12_000
"""At most this much of an article is shown when a source is expanded (around the span)."""

_REF_RE = re.compile(r"\[(\d{1,2})\]")
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’)]?\s+|\n")


def esc(text: str) -> str:
    """Escape text for HTML, newlines kept as character references (no literal newlines).

    >>> esc('<b onclick="x">\\n')
    '&lt;b onclick=&quot;x&quot;&gt;&#10;'
    """
    return html.escape(text, quote=True).replace("\r", "").replace("\n", "&#10;")


def render_text(text: str) -> str:
    """The answer's prose, escaped, with its ``[n]`` markers as superscripts."""
    body = _REF_RE.sub(r'<sup class="qa-ref">[\1]</sup>', esc(text))
    return f'<p class="qa-text">{body}</p>'


def render_partial(text: str) -> str:
    """A streaming answer in progress."""
    return f'<div class="qa-answer qa-streaming">{render_text(text)}</div>'


def render_pending() -> str:
    return (
        '<div class="qa-answer qa-streaming"><p class="qa-muted">Searching the articles…</p></div>'
    )


def render_error(message: str) -> str:
    """A short problem the user can fix (or a generic one), shown in place of an answer."""
    return (
        '<div class="qa-answer qa-error"><span class="qa-label qa-label-error">Problem</span>'
        f'<p class="qa-text">{esc(message)}</p></div>'
    )


def quote_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    """Text just before ``start`` and just after ``end``, cut at a sentence or paragraph end.

    >>> quote_context("One. Two three. Four.", 5, 15)
    ('', ' Four.')
    >>> quote_context("x" * 10 + " ab cd", 11, 13, width=4)
    ('…', ' cd')
    """
    before = text[max(0, start - width) : start]
    para = before.rfind("\n")
    ends = list(_SENTENCE_END_RE.finditer(before))
    if para >= 0:
        before = before[para + 1 :]
    elif ends:
        before = before[ends[-1].end() :]
    elif start - width > 0:
        cut = before.find(" ")
        before = "…" + (before[cut + 1 :] if cut >= 0 else "")
    after = text[end : end + width]
    m = _SENTENCE_END_RE.search(after)
    if m:
        after = after[: m.end()].rstrip()
    elif end + width < len(text):
        cut = after.rfind(" ")
        after = (after[:cut] if cut > 0 else after) + "…"
    return before, after


def _marked(
    text: str,
    start: int,
    end: int,
    before: str,
    after: str,
    inner: tuple[int, int] | None = None,
) -> str:
    """The span marked; ``inner`` (the short answer, inside the span) in bold within it."""
    if inner is not None and start <= inner[0] < inner[1] <= end:
        lo, hi = inner
        span = (
            f'{esc(text[start:lo])}<strong class="qa-short-hl">{esc(text[lo:hi])}</strong>'
            f"{esc(text[hi:end])}"
        )
    else:
        span = esc(text[start:end])
    return f"{esc(before)}<mark>{span}</mark>{esc(after)}"


def shorten(quote: str, limit: int = QUOTE_CHARS) -> str:
    """``quote`` cut at a word boundary near ``limit``, with an ellipsis when cut.

    >>> shorten("alpha beta gamma", 12)
    'alpha beta…'
    """
    if len(quote) <= limit:
        return quote
    cut = quote.rfind(" ", 0, limit)
    return quote[: cut if cut > limit // 2 else limit].rstrip() + "…"


def _quote_html(
    c: Citation, text: str | None, highlight: bool = True, inner: tuple[int, int] | None = None
) -> str:
    """The quote with a little context around it, the cited span marked.

    Related passages (``highlight=False``) are reading, not evidence: shown plain, shortened.
    """
    if not highlight:
        return esc(shorten(c.quote))
    exact = text is not None and 0 <= c.start <= c.end <= len(text)
    if text is None or not exact or text[c.start : c.end] != c.quote:
        return f"<mark>{esc(shorten(c.quote))}</mark>"
    if len(c.quote) > QUOTE_CHARS:
        return f"<mark>{esc(shorten(c.quote))}</mark>"
    before, after = quote_context(text, c.start, c.end)
    return _marked(text, c.start, c.end, before, after, inner)


def _source_text(article: Article, kind: str) -> str:
    return article.comments_text if kind == "comment" else article.body


def render_article(article: Article, c: Citation) -> str:
    """The article (or its comments) with the cited span marked in place.

    Very long articles are cut to ``ARTICLE_CHARS`` around the span.
    """
    text = _source_text(article, c.kind)
    start, end = c.start, c.end
    if not (0 <= start <= end <= len(text)) or text[start:end] != c.quote:
        return f'<div class="qa-article">{esc(text[:ARTICLE_CHARS])}</div>'
    lo = max(0, min(start - ARTICLE_CHARS // 2, len(text) - ARTICLE_CHARS))
    hi = min(len(text), max(end + ARTICLE_CHARS // 2, lo + ARTICLE_CHARS))
    head = "…" if lo > 0 else ""
    tail = "…" if hi < len(text) else ""
    body = _marked(text, start, end, head + text[lo:start], text[end:hi] + tail)
    return f'<div class="qa-article">{body}</div>'


DATE_RULES = {
    "catalog": "the curated catalog",
    "metadata": "the export's date field",
    "front_matter": "the file's front matter",
    "html_meta": "the page's metadata",
    "dateline": "a dateline in the text",
    "url": "the date in the article's link",
    "inferred": "inferred by the catalog's editor",
    "unknown": "no date found",
}
"""What the date's hover text says about ``Citation.date_source``."""


def _title_html(c: Citation) -> str:
    """The title, a link to the original when the citation has an http(s) URL.

    >>> link = _title_html(Citation(1, "a", "T <b>", None, "q", 0, 1, url="https://x.example/?a&b"))
    >>> link.startswith('<a class="qa-title" href="https://x.example/?a&amp;b" target="_blank"')
    True
    >>> link.endswith(">T &lt;b&gt;</a>")
    True
    >>> _title_html(Citation(1, "a", "T", None, "q", 0, 1, url="javascript:alert(1)"))
    '<span class="qa-title">T</span>'
    """
    title = esc(c.title or c.article_id)
    url = (c.url or "").strip()
    if not url.lower().startswith(("http://", "https://")) or any(ch.isspace() for ch in url):
        return f'<span class="qa-title">{title}</span>'
    return (
        f'<a class="qa-title" href="{esc(url)}" target="_blank" '
        f'rel="noopener noreferrer nofollow">{title}</a>'
    )


def _date_html(c: Citation, article: Article | None) -> str:
    """The date, with the rule that gave it on hover (and the source beside it)."""
    rule = c.date_source or (article.date_source if article is not None else None)
    hover = f' title="Date from {esc(DATE_RULES.get(rule, rule))}"' if rule else ""
    date = f'<span class="qa-date"{hover}>{esc(human_date(c.published))}</span>'
    source = c.source or (article.source if article is not None else None)
    return date + (f'<span class="qa-site">{esc(source)}</span>' if source else "")


def render_citation(
    c: Citation,
    article: Article | None,
    highlight: bool = True,
    short: ShortAnswer | None = None,
) -> str:
    """One source: number, title (linked to the original), date, source, the quote in context;
    expands to the whole article. The date's hover text says how it was established. The
    short answer, when it comes from this citation, is bold inside the marked quote."""
    inner = (short.start, short.end) if short is not None and short.n == c.n else None
    is_comment = c.kind == "comment"
    classes = "qa-source qa-comment" if is_comment else "qa-source"
    badge = ""
    if is_comment:
        badge = f'<span class="qa-label qa-label-comment">{esc(COMMENT_LABEL)}</span>'
    if article is not None:
        quote = _quote_html(c, _source_text(article, c.kind), highlight, inner)
        full = render_article(article, c)
    else:
        quote = _quote_html(c, None, highlight)
        full = '<div class="qa-article qa-muted">The article is no longer in the index.</div>'
    return (
        f'<details class="{classes}"><summary>'
        f'<span class="qa-n">[{c.n}]</span> '
        f"{_title_html(c)} {_date_html(c, article)}{badge}"
        f'<span class="qa-quote">{quote}</span>'
        '<span class="qa-expand">Show the whole article</span>'
        f"</summary>{full}</details>"
    )


def render_sources(
    citations: Sequence[Citation],
    articles: Mapping[str, Article],
    heading: str,
    highlight: bool = True,
    short: ShortAnswer | None = None,
) -> str:
    if not citations:
        return ""
    items = "".join(
        render_citation(c, articles.get(c.article_id), highlight, short) for c in citations
    )
    return f'<div class="qa-sources"><div class="qa-sources-head">{esc(heading)}</div>{items}</div>'


def render_answer(answer: Answer, articles: Mapping[str, Article]) -> str:
    """The whole chat bubble for a finished answer (or abstention) with its sources."""
    parts: list[str] = []
    if answer.abstained:
        parts.append(f'<span class="qa-label qa-label-abstain">{esc(ABSTAIN_LABEL)}</span>')
    if (
        answer.resolved_question
        and answer.question
        and (answer.resolved_question != answer.question)
    ):
        parts.append(f'<p class="qa-muted">Understood as: {esc(answer.resolved_question)}</p>')
    if answer.short is not None:
        parts.append(
            f'<p class="qa-short"><strong>{esc(answer.short.text)}</strong> '
            f'<sup class="qa-ref">[{answer.short.n}]</sup></p>'
        )
    parts.append(render_text(answer.body))
    if answer.notes:
        parts.append(f'<p class="qa-muted">Note: {esc("; ".join(answer.notes))}</p>')
    if answer.abstained:
        parts.append(
            render_sources(
                answer.related, articles, "Related passages (reading, not an answer)", False
            )
        )
    else:
        parts.append(render_sources(answer.citations, articles, "Sources", short=answer.short))
    kind = "qa-answer qa-abstained" if answer.abstained else "qa-answer"
    return f'<div class="{kind}">{"".join(parts)}</div>'


CSS = """
.qa-answer { line-height: 1.55; }
.qa-answer .qa-text { margin: 0 0 .4em 0; }
.qa-answer .qa-short { font-size: 1.1em; margin: 0 0 .3em 0; }
.qa-answer mark .qa-short-hl { font-weight: 700; }
.qa-ref { color: var(--color-accent); font-weight: 600; font-size: .75em; }
.qa-muted { color: var(--body-text-color-subdued); font-size: .9em; margin: .2em 0; }
.qa-label { display: inline-block; font-size: .75em; font-weight: 600; letter-spacing: .02em;
  text-transform: uppercase; border-radius: 999px; padding: .1em .7em; margin: 0 0 .4em 0; }
.qa-label-abstain { background: #fff4e0; color: #8a4b00; border: 1px solid #f0c27a; }
.qa-label-error { background: #fde8e8; color: #9b1c1c; border: 1px solid #f5b5b5; }
.qa-label-comment { background: #eef0ff; color: #3b3f8f; border: 1px solid #c5c9f5;
  margin: 0 0 0 .5em; text-transform: none; }
.qa-abstained { border-left: 4px solid #f0c27a; padding-left: .8em; }
.qa-abstained > .qa-text { font-style: italic; }
.qa-error { border-left: 4px solid #f5b5b5; padding-left: .8em; }
.qa-sources { margin-top: .7em; padding-top: .5em;
  border-top: 1px solid var(--border-color-primary); }
.qa-sources-head { font-size: .8em; font-weight: 600; text-transform: uppercase;
  letter-spacing: .04em; color: var(--body-text-color-subdued); margin-bottom: .3em; }
.qa-source { margin: .35em 0; border: 1px solid var(--border-color-primary);
  border-radius: 8px; padding: .45em .7em; background: var(--background-fill-secondary); }
.qa-source > summary { cursor: pointer; list-style: none; }
.qa-source > summary::-webkit-details-marker { display: none; }
.qa-comment { border-style: dashed; }
.qa-n { font-weight: 700; color: var(--color-accent); }
.qa-title { font-weight: 600; }
.qa-date { color: var(--body-text-color-subdued); font-size: .9em; margin-left: .3em; }
.qa-date::before { content: "· "; }
.qa-site { color: var(--body-text-color-subdued); font-size: .9em; margin-left: .3em; }
.qa-site::before { content: "· "; }
a.qa-title { color: inherit; text-decoration: underline; text-decoration-thickness: 1px; }
.qa-quote { display: block; margin: .35em 0 .2em 0; padding: 0 0 0 .7em; border-left: 3px solid
  var(--border-color-accent); font-size: .93em; white-space: pre-wrap; }
.qa-expand { font-size: .8em; color: var(--color-accent); }
.qa-source[open] .qa-expand { display: none; }
.qa-article { white-space: pre-wrap; max-height: 24em; overflow-y: auto; font-size: .9em;
  margin-top: .5em; padding: .6em .8em; border-radius: 6px;
  background: var(--background-fill-primary); border: 1px solid var(--border-color-primary); }
.qa-answer mark { background: #fff1a8; color: inherit; padding: 0 .1em; border-radius: 2px; }
.dark .qa-answer mark { background: #6b5b00; }
.qa-examples { flex-wrap: wrap !important; gap: 6px !important; align-items: center; }
.qa-examples > * { flex: 0 1 auto !important; min-width: 0 !important; width: auto !important; }
.qa-try { font-weight: 600; color: var(--body-text-color-subdued); }
#qa-articles table, #qa-articles td, #qa-articles th { font-family: var(--font) !important; }
.qa-header h1 { margin-bottom: 0; }
.qa-header p { margin-top: .2em; color: var(--body-text-color-subdued); }
"""
