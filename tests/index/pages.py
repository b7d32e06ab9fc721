"""Real-looking saved news pages, with what a reader must get from each (the gold).

Each page is built from parts that recur on news sites: a cookie banner, navigation, a
byline, share buttons, a related-links block with its own dates, a newsletter box, a
comment section, a footer with a copyright year. ``Page.noise`` lists text that must not
reach the article body. Used by tests/index/test_html.py and by ``measure()``, which
compares the HTML reader with the plain-text cleaner on the same pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

COOKIE = (
    '<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your '
    "experience. By continuing to browse you accept our cookie policy.</p>"
    "<button>Accept all cookies</button></div>"
)
NAV = (
    '<header><nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World'
    '</a></li><li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li>'
    "</ul></nav></header>"
)
SHARE = '<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>'
RELATED = (
    '<aside class="related"><h3>Related stories</h3><ul>'
    '<li><a href="/world/2019/01/05/opposition">Opposition leader declares himself president'
    '</a> <span class="date">January 5, 2019</span></li>'
    '<li><a href="/world/2021/03/10/sanctions">Sanctions tightened on state oil firm</a> '
    '<span class="date">March 10, 2021</span></li></ul></aside>'
)
NEWSLETTER = (
    '<div class="newsletter"><h4>Get our morning briefing</h4><p>Sign up for the newsletter '
    "and get the day's top stories in your inbox every morning.</p>"
    '<form><input type="email"><button>Subscribe</button></form></div>'
)
FOOTER = (
    '<footer><p>© 2025 The Daily Planet. All rights reserved.</p><a href="/privacy">Privacy '
    'policy</a> <a href="/terms">Terms of use</a></footer>'
)
NOISE = [
    "We use cookies",
    "Accept all cookies",
    "Home",
    "Business",
    "Share on Facebook",
    "Related stories",
    "Opposition leader declares himself president",
    "Sanctions tightened",
    "morning briefing",
    "Sign up for the newsletter",
    "All rights reserved",
    "Privacy policy",
]


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    title: str
    paragraphs: tuple[str, ...]
    published: str | None
    date_source: str
    url: str | None = None
    source: str | None = None
    comments: tuple[str, ...] = ()
    noise: tuple[str, ...] = field(default=tuple(NOISE))


def _comments(items: list[tuple[str, str]]) -> str:
    if not items:
        return ""
    rows = "".join(
        f'<li class="comment"><div class="comment-author vcard"><cite class="fn">{who}</cite> '
        f'says:</div><div class="comment-content"><p>{text}</p></div>'
        '<a class="comment-reply-link" href="#">Reply</a></li>'
        for who, text in items
    )
    return (
        f'<section id="comments" class="comments-area"><h2>{len(items)} Comments</h2>'
        f'<ol class="comment-list">{rows}</ol><div id="respond"><h3>Leave a Reply</h3>'
        "<p>Your email address will not be published.</p></div></section>"
    )


def page(
    name: str,
    title: str,
    paragraphs: list[str],
    *,
    head: str = "",
    byline: str = "",
    comments: list[tuple[str, str]] | None = None,
    published: str | None,
    date_source: str,
    url: str | None = None,
    source: str | None = "The Daily Planet",
    gold: list[str] | None = None,
    extra_noise: tuple[str, ...] = (),
) -> Page:
    """A page: the parts above around an <article> holding ``paragraphs``.

    ``gold``: the paragraphs a reader must keep, when not all of them (default: all).
    """
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    site = f'<meta property="og:site_name" content="{source}">' if source else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | '
        f"{source or 'News'}</title>{site}{canonical}{head}</head><body>{COOKIE}{NAV}<main>"
        f'<article><h1>{title}</h1><p class="byline">{byline or "By Maria Lopez"}</p>{SHARE}'
        f"{body}</article>{RELATED}{NEWSLETTER}{_comments(comments or [])}</main>{FOOTER}"
        "</body></html>"
    )
    return Page(
        name=name,
        html=html,
        title=title,
        paragraphs=tuple(gold or paragraphs),
        published=published,
        date_source=date_source,
        url=url,
        source=source,
        comments=tuple(text for _, text in comments or []),
        noise=(*NOISE, *extra_noise),
    )


OIL = [
    "Venezuela and a consortium of European companies signed a deal on Wednesday to develop "
    "two offshore gas fields, the oil ministry said.",
    "The agreement, worth an estimated 2 billion dollars over ten years, was signed at the "
    "presidential palace in the presence of the energy minister.",
    "Analysts said the deal signalled a thaw in relations after years of sanctions that had "
    "kept most foreign investors away from the country's energy sector.",
]
TALKS = [
    "Diplomats from both countries met in Doha for a second round of talks aimed at "
    "restoring embassies that closed six years ago.",
    "Neither side gave details of the discussions, but a joint statement called them "
    "constructive and said technical teams would meet again next month.",
]
VOTE = [
    "Electoral officials began counting ballots late on Sunday after polls closed across the "
    "country, with turnout reported at just over sixty percent.",
    "Opposition parties said they would wait for the official results before commenting on "
    "the preliminary figures released by the council.",
]
PAGES = [
    page(
        "meta-tags",
        "Oil deal signed in Caracas",
        OIL,
        head='<meta property="article:published_time" content="2024-07-03T10:15:00-04:00">'
        '<meta name="author" content="Maria Lopez">',
        byline='By Maria Lopez · <time datetime="2024-07-03T10:15:00-04:00">July 3, 2024</time>',
        comments=[
            ("Pedro G", "Finally some good news for the economy, if the gas ever flows."),
            ("Ana R", "This is a sell-out of our national resources to foreign companies."),
        ],
        published="2024-07-03",
        date_source="html_meta",
        url="https://planet.example/world/oil-deal-signed",
    ),
    page(
        "json-ld",
        "Talks resume in Doha",
        TALKS,
        head='<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"NewsArticle", "headline": "Talks resume in Doha", "datePublished": '
        '"2023-11-15T08:00:00Z", "author": {"@type": "Person", "name": "Omar Haddad"}}</script>',
        comments=[("Lee", "About time both sides sat down and talked again.")],
        published="2023-11-15",
        date_source="html_meta",
        url="https://planet.example/world/talks-resume",
    ),
    page(
        "date-in-url",
        "Oil deal signed in Caracas",
        OIL,
        published="2024-07-03",
        date_source="url",
        url="https://planet.example/world/2024/07/03/oil-deal-signed",
    ),
    page(
        "dateline",
        "Counting begins after national vote",
        ["CARACAS, March 5, 2025 (AFP) - " + VOTE[0], VOTE[1]],
        published="2025-03-05",
        date_source="dateline",
        url="https://planet.example/world/counting-begins",
    ),
    page(
        "no-date",
        "Talks resume in Doha",
        TALKS,
        published=None,
        date_source="unknown",
        url="https://planet.example/world/talks-resume",
        source=None,
    ),
    page(
        "meta-beats-url-and-dateline",
        "Counting begins after national vote",
        ["CARACAS, March 4, 2025 (AFP) - " + VOTE[0], VOTE[1]],
        head='<meta property="article:published_time" content="2025-03-05">',
        published="2025-03-05",
        date_source="html_meta",
        url="https://planet.example/world/2025/03/01/counting-begins",
    ),
]
PAGES.append(
    page(
        "boilerplate-inside-article",
        "Talks resume in Doha",
        [
            TALKS[0],
            '<span class="ad">Advertisement</span>',
            '<strong>Read more:</strong> <a href="/world/2021/03/10/sanctions">Sanctions '
            "tightened on state oil firm</a>",
            TALKS[1],
            "Tags: diplomacy, Qatar, embassies",
        ],
        head='<meta name="date" content="2023-11-15">',
        byline="By Omar Haddad · 2 min read",
        comments=[("Sam", "Good to see diplomacy at work."), ("Kim", "I doubt it will last.")],
        published="2023-11-15",
        date_source="html_meta",
        url="https://planet.example/world/talks-resume",
        gold=TALKS,
        extra_noise=("Advertisement", "Read more", "Tags:", "min read"),
    )
)
EMPTY_PAGE = (
    "<!DOCTYPE html><html><head><title>Home | The Daily Planet</title></head><body>"
    f"{COOKIE}{NAV}{RELATED}{FOOTER}</body></html>"
)


def _squash(text: str) -> str:
    return " ".join(text.split())


def html_to_text(html: str) -> str:
    """What the plain-text path sees of a page: every block element's text on its own line."""
    from lxml import html as lxml_html

    tree = lxml_html.document_fromstring(html)
    for bad in tree.xpath("//script|//style|//noscript|//head"):
        bad.drop_tree()
    blocks = tree.xpath("//p|//h1|//h2|//h3|//h4|//li|//button|//cite|//a[not(ancestor::li)]")
    return "\n\n".join(_squash(b.text_content()) for b in blocks if _squash(b.text_content()))


def score(p: Page, body: str, comments: list[str], published: str | None) -> dict[str, float]:
    """Paragraph recall, noise strings leaked, comments split right, date right (0/1 each)."""
    flat = _squash(body)
    recall = sum(_squash(x) in flat for x in p.paragraphs) / len(p.paragraphs)
    leaked = sum(bool(re.search(rf"\b{re.escape(n)}\b", flat)) for n in p.noise)
    leaked += sum(_squash(c) in flat for c in p.comments)
    split = float([_squash(c) for c in comments] == [_squash(c) for c in p.comments])
    return {"recall": recall, "leaked": leaked, "comments": split, "date": published == p.published}


def measure() -> dict[str, dict[str, float]]:
    """Both readers over PAGES: mean recall, total noise leaked, share of comment splits and
    of dates right. ``python -c "import sys; sys.path[:0] = ['tests/index']; import pages;
    print(pages.measure())"``"""
    from index.formats.html import read_html
    from index.ingest import build_article, parse_article

    rows: dict[str, list[dict[str, float]]] = {"html reader": [], "text cleaner": []}
    for p in PAGES:
        a = build_article(read_html(p.html, p.name), p.name)
        rows["html reader"].append(score(p, a.body, [c.text for c in a.comments], a.published))
        t = parse_article(html_to_text(p.html), p.name)
        rows["text cleaner"].append(score(p, t.body, [c.text for c in t.comments], t.published))
    n = len(PAGES)
    return {
        name: {
            "recall": round(sum(r["recall"] for r in rs) / n, 3),
            "noise leaked": sum(r["leaked"] for r in rs),
            "comments split": round(sum(r["comments"] for r in rs) / n, 3),
            "date right": round(sum(r["date"] for r in rs) / n, 3),
        }
        for name, rs in rows.items()
    }
