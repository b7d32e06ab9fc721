"""Markdown or text with YAML front matter: metadata keys, then the article.

    >>> found, warnings = read_markdown(
    ...     "---\\ntitle: Oil deal signed\\ndate: 2024-07-03\\nsource: Reuters\\n"
    ...     "url: https://news.example/oil\\n---\\nThe deal was signed.\\n", "a.md")
    >>> found.title, found.source, found.url, found.format
    ('Oil deal signed', 'Reuters', 'https://news.example/oil', 'front matter')
    >>> found.text
    'The deal was signed.'
    >>> found.date
    DateClaim(published='2024-07-03', source='front_matter', evidence='date: 2024-07-03')
    >>> read_markdown("No front matter here.\\n", "b.txt")[0].format
    'text'

The keys are those of :class:`~index.formats.fields.FieldNames` (``title``; ``published``,
``date``, ``publish_date``; ``url``; ``source``; ``author`` by default, any case), parsed by
``python-frontmatter``. A file without front matter is passed through exactly as it is
(the seeds are read as before). Problems are warnings, never a lost article: front matter
that is not valid YAML is ignored (the text after it is still the article), and a date
that does not parse is reported, the date then coming from the text if it has one.
"""

from __future__ import annotations

from index.formats.dating import metadata_date
from index.formats.fields import FieldNames
from index.formats.found import Found

__all__ = ["read_markdown"]


def _scalar(value: object) -> str | None:
    """A metadata value as one line of text; lists, tables and blanks give None."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


def read_markdown(
    text: str, where: str, names: FieldNames | None = None
) -> tuple[Found, list[str]]:
    """The article of one .md/.txt file and any warnings (see the module doc)."""
    import frontmatter

    names = names or FieldNames()
    stripped = text.strip()
    handler = frontmatter.detect_format(stripped, frontmatter.handlers)
    if handler is None:
        return Found(text=text, format="text", where=where), []
    try:
        block, content = handler.split(stripped)
        content = content.strip()
    except ValueError:
        return Found(text=text, format="text", where=where), []
    try:
        meta = handler.load(block)
    except Exception as e:  # yaml raises many error types; all mean "not valid YAML"
        reason = " ".join(str(e).split())[:80]
        warning = (
            f"{where}: front matter is not valid YAML ({reason}); its keys are ignored and "
            "the text after it is indexed."
        )
        return Found(text=content, format="front matter", where=where), [warning]
    if not isinstance(meta, dict):
        meta = {}
    warnings: list[str] = []
    date, problem = metadata_date(meta, names, "front_matter", where)
    if problem:
        warnings.append(problem)

    def value(keys: tuple[str, ...]) -> str | None:
        picked = names.pick(meta, keys)
        return _scalar(picked[1]) if picked else None

    found = Found(
        text=content,
        format="front matter",
        where=where,
        title=value(names.title),
        date=date,
        url=value(names.url),
        source=value(names.source),
        author=value(names.author),
    )
    return found, warnings
