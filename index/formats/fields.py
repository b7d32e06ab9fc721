"""Which keys of an export row or a front matter block hold which part of an article.

    >>> names = FieldNames.parse(text="story,text", published="pubDate")
    >>> names.text, names.published
    (('story', 'text'), ('pubDate',))
    >>> names.pick({"story": "  ", "text": "It rained."}, names.text)
    ('text', 'It rained.')
    >>> names.pick({"Title": "Case does not matter"}, names.title)
    ('Title', 'Case does not matter')
    >>> names.pick({"title": None}, names.title) is None
    True

Keys match without regard to case or surrounding spaces; the first key of the list that
is present with a non-blank value wins. The defaults (``IndexSettings``: ``QA_ID_FIELDS``,
``QA_TITLE_FIELDS``, ``QA_TEXT_FIELDS``, ``QA_DATE_FIELDS``, ``QA_URL_FIELDS``,
``QA_SOURCE_FIELDS``, ``QA_AUTHOR_FIELDS``) are ``id``; ``title``; ``text``, ``body``,
``content``; ``published``, ``date``, ``publish_date``; ``url``; ``source``; ``author``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["FieldNames"]


def _split(names: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in names.split(",") if n.strip())


@dataclass(frozen=True)
class FieldNames:
    """Candidate keys per article part, in order of preference."""

    id: tuple[str, ...] = ("id",)
    title: tuple[str, ...] = ("title",)
    text: tuple[str, ...] = ("text", "body", "content")
    published: tuple[str, ...] = ("published", "date", "publish_date")
    url: tuple[str, ...] = ("url",)
    source: tuple[str, ...] = ("source",)
    author: tuple[str, ...] = ("author",)

    @classmethod
    def parse(cls, **lists: str) -> FieldNames:
        """From comma-separated lists (``text="story,text"``); parts not given keep defaults."""
        return cls(**{part: _split(names) for part, names in lists.items()})

    def pick(self, row: Mapping[str, object], names: tuple[str, ...]) -> tuple[str, object] | None:
        """``(key as written, value)`` of the first of ``names`` present and not blank."""
        folded = {str(k).strip().lower(): k for k in row}
        for name in names:
            key = folded.get(name.lower())
            if key is None:
                continue
            value = row[key]
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            return str(key), value
        return None
