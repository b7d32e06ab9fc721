"""Saved web pages (``.html``, ``.htm``): the article, its metadata and its reader comments.

``trafilatura`` finds the main text, leaving out navigation, cookie banners, share
buttons, related-links blocks and footers; it also gives the title, author, site name and
the page's canonical URL. Its comment extraction keeps a page's marked comment section
apart, one comment per paragraph.

    >>> page = '''<html><head><title>Oil deal | Daily Planet</title>
    ... <meta property="og:title" content="Oil deal signed">
    ... <meta property="og:site_name" content="Daily Planet">
    ... <meta property="article:published_time" content="2024-07-03T10:15:00-04:00">
    ... <link rel="canonical" href="https://planet.example/world/oil-deal"></head>
    ... <body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article>
    ... <h1>Oil deal signed</h1><p>Venezuela signed a deal on Wednesday to develop two
    ... offshore gas fields, the oil ministry said in a statement.</p></article></body></html>'''
    >>> found = read_html(page, "page.html")
    >>> found.title, found.source, found.url
    ('Oil deal signed', 'Daily Planet', 'https://planet.example/world/oil-deal')
    >>> found.date.published, found.date.source, found.date.evidence
    ('2024-07-03', 'html_meta', 'article:published_time: 2024-07-03T10:15:00-04:00')
    >>> found.text.startswith("Oil deal signed\\n\\nVenezuela signed a deal")
    True

Dates: only the page's own metadata counts here — ``<head>`` meta tags, JSON-LD and
``itemprop="datePublished"`` — read by ``htmldate`` (which also reads JSON-LD). The rest
of the page is not searched for dates: a related-links block or a copyright line would
give a wrong date. A dateline in the main text and a date in the URL are the next rules
(``index.formats.dating``), applied when the article is built.

A page with no main text (only navigation, a cookie banner, a headline) is a
``ValueError`` naming the page.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from index.formats.dating import DateClaim, date_value, page_date_bounds
from index.formats.found import Found

__all__ = ["MIN_PROSE_WORDS", "read_html"]

MIN_PROSE_WORDS = 6
"""A page has main text when one of its paragraphs has at least this many words and ends
like a sentence ("Home World Business" or a lone headline does not)."""

_PRUNE = (
    "//*[contains(@id,'cookie') or contains(@class,'cookie') or contains(@id,'consent')"
    " or contains(@class,'consent') or contains(@class,'gdpr') or contains(@id,'gdpr')]"
)
"""Cookie and consent banners: trafilatura keeps one as main text on a page without any."""
_SENTENCE_END = (".", "!", "?", '"', "'", "”", "’", ")", "»")


def _text_of(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _blocks(body: Any, headings: bool = True) -> list[str]:
    """Paragraph texts of trafilatura's body tree: lists and tables one line per item/row.

    ``headings=False`` leaves headings out (a comment section's "3 Comments").
    """
    blocks: list[str] = []
    for child in body:
        if child.tag == "head" and not headings:
            continue
        if child.tag == "list":
            lines = [_text_of(item) for item in child.iter("item")]
        elif child.tag == "table":
            lines = [" | ".join(_text_of(c) for c in row.iter("cell")) for row in child.iter("row")]
        else:
            lines = [_text_of(child)]
        text = "\n".join(line for line in lines if line)
        if text:
            blocks.append(text)
    return blocks


def _is_prose(block: str) -> bool:
    return len(block.split()) >= MIN_PROSE_WORDS and block.rstrip().endswith(_SENTENCE_END)


def _metadata_only(tree: Any) -> Any:
    """A copy of the page holding only its head, its JSON-LD and datePublished elements."""
    from lxml import html as lxml_html

    doc = lxml_html.document_fromstring("<html><head></head><body></body></html>")
    head = tree.find(".//head")
    if head is not None:
        doc.replace(doc.find("head"), copy.deepcopy(head))
    body = doc.find("body")
    for el in tree.xpath(
        "//body//script[@type='application/ld+json'] | //body//*[@itemprop='datePublished']"
    ):
        body.append(copy.deepcopy(el))
    return doc


def _json_dates(data: object, out: list[tuple[str, str]]) -> None:
    """Every ``"...date...": "value"`` pair in parsed JSON-LD, depth first."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and "date" in str(key).lower():
                out.append((f"JSON-LD {key}", value))
            else:
                _json_dates(value, out)
    elif isinstance(data, list):
        for item in data:
            _json_dates(item, out)


def _stated(doc: Any) -> list[tuple[str, str]]:
    """(label, value) of every date the metadata states: meta tags, datetime, JSON-LD."""
    stated: list[tuple[str, str]] = []
    for el in doc.iter():
        value = el.get("datetime") or el.get("content")
        name = el.get("property") or el.get("name") or el.get("itemprop") or str(el.tag)
        if value:
            stated.append((name, value))
    for script in doc.xpath("//script[@type='application/ld+json']"):
        try:
            _json_dates(json.loads(script.text or ""), stated)
        except ValueError:
            continue
    return stated


def _checked(doc: Any, published: str) -> DateClaim | None:
    """htmldate's date, at the precision the metadata states it, with what stated it.

    htmldate completes a partial date ("2023-11") with a day; the day is never kept unless a
    tag states it. A date no tag states in a form ``date_value`` reads is trusted as found.
    """
    partial: DateClaim | None = None
    for name, value in _stated(doc):
        try:
            iso = date_value(value)
        except ValueError:
            continue
        if iso == published:
            return DateClaim(published, "html_meta", f"{name}: {value}")
        if partial is None and published.startswith(iso):
            partial = DateClaim(iso, "html_meta", f"{name}: {value}")
    return partial or DateClaim(published, "html_meta", "page metadata")


def _meta_date(tree: Any) -> DateClaim | None:
    from htmldate import find_date

    low, high = page_date_bounds()
    doc = _metadata_only(tree)
    published = find_date(
        doc, url="", extensive_search=False, original_date=True, min_date=low, max_date=high
    )
    if published:
        return _checked(doc, str(published))
    for name, value in _stated(doc):  # htmldate skips partial dates: a stated "2023-11"
        if any(word in name.lower() for word in ("publish", "created", "pubdate")):
            try:
                return DateClaim(date_value(value), "html_meta", f"{name}: {value}")
            except ValueError:
                continue
    return None


def read_html(page: str | bytes, where: str) -> Found:
    """The article of one saved page (see the module doc); ``where`` names it in errors."""
    from trafilatura import bare_extraction
    from trafilatura.utils import load_html

    tree = load_html(page)
    if tree is None:
        raise ValueError(f"{where}: not an HTML page (no document could be parsed); remove it")
    date = _meta_date(tree)
    doc: Any = bare_extraction(  # a trafilatura Document (as_dict=False)
        tree,
        with_metadata=True,
        include_comments=True,
        include_tables=True,
        prune_xpath=_PRUNE,
        deduplicate=False,
    )
    blocks = _blocks(doc.body) if doc is not None and doc.body is not None else []
    if doc is None or not any(_is_prose(b) for b in blocks):
        raise ValueError(
            f"{where}: no main text found in the page (only navigation, banners or a "
            "headline); not indexed. Save the article page itself, or remove the file."
        )
    comments = _blocks(doc.commentsbody, headings=False) if doc.commentsbody is not None else []
    return Found(
        text="\n\n".join(blocks),
        format="html",
        where=where,
        title=doc.title or None,
        date=date,
        url=doc.url or None,
        source=doc.sitename or doc.hostname or None,
        author=doc.author or None,
        comments_text="\n\n".join(comments) or None,
    )
