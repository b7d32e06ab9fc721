"""Plain-text rendering of an Answer for the terminal (``qa ask``).

>>> from qa.types import Answer, Citation
>>> c = Citation(1, "a1", "Talks resume", "2024-07", "They met.", 0, 9)
>>> print(render_text(Answer("They met. [1]", (c,))))
They met. [1]
<BLANKLINE>
Sources:
  [1] Talks resume (Jul 2024) — a1
      “They met.”
>>> c = Citation(1, "a1", "Talks resume", "2024-07", "They met.", 0, 9, url="https://x.example/t",
...              source="AFP")
>>> print(*_source(c, "[1]"), sep="\\n")
  [1] Talks resume (Jul 2024) · AFP — a1
      “They met.”
      https://x.example/t
"""

from __future__ import annotations

import textwrap

from qa.timeref import human_date
from qa.types import Answer, Citation


def _source(c: Citation, label: str) -> list[str]:
    kind = " — reader comment (opinion)" if c.kind == "comment" else ""
    source = f" · {c.source}" if c.source else ""
    head = f"  {label} {c.title} ({human_date(c.published)}){source} — {c.article_id}{kind}"
    quote = textwrap.fill(
        f"“{' '.join(c.quote.split())}”", width=96, initial_indent="      ",
        subsequent_indent="      ", max_lines=6, placeholder=" …”",
    )  # fmt: skip
    return [head, quote] + ([f"      {c.url}"] if c.url else [])


def render_text(answer: Answer) -> str:
    lines = [answer.text, ""]
    if answer.citations:
        lines.append("Sources:")
        for c in answer.citations:
            lines += _source(c, f"[{c.n}]")
    if answer.related:
        lines.append("Related reading (not an answer):")
        for c in answer.related:
            lines += _source(c, "-")
    for note in answer.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines).rstrip()
