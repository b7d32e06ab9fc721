"""A yes/no question about who holds a role ("Is Joe Biden still president?"), answered by
its who-question ("Who is still president?"): the holder the articles name now, and whether
that is the one the question names (:func:`qa.roles.name_check` reads the question)."""

from __future__ import annotations

from dataclasses import replace

from qa.question import tokens
from qa.roles import NameCheck
from qa.timeref import human_date
from qa.types import Answer

__all__ = ["name_verdict"]


def name_verdict(check: NameCheck, who: Answer) -> Answer | None:
    """The answer to a name check from the answer to its who-question: "Yes" when the
    holder that answer leads with (its short answer) bears the asked name's last word, "No"
    when someone else holds the role, each "as of" the lead's date, the who-answer's quotes
    and dated timeline below; None when that answer names no holder."""
    short = who.short
    if who.abstained or short is None or not who.citations:
        return None
    surname = tokens(check.name)[-1:]
    same = bool(surname) and surname[0] in tokens(short.text)
    when = human_date(next(c.published for c in who.citations if c.n == short.n))
    verdict = "Yes" if same else "No"
    lead = f"{verdict}: as of {when}, the articles name {short.text} [{short.n}] as {check.role}."
    return replace(who, text=f"{lead}\n\n{who.body}", short=None)
