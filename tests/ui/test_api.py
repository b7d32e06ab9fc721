"""The launched page through gradio_client: answers, sources, errors, follow-ups, many users."""

from __future__ import annotations

import html
import re
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from gradio_client import Client

from qa.timeref import human_date
from ui.app import build_app, launch
from ui.render import ABSTAIN_LABEL, render_text

if TYPE_CHECKING:
    from tests.ui.conftest import Served

pytestmark = pytest.mark.slow

DATE = re.compile(r'<span class="qa-date"[^>]*>(?:\d{1,2} )?[A-Z][a-z]{2} \d{4}</span>')


def ask(client: Client, question: str, since: str = "", until: str = "", top_k: int = 5) -> str:
    """The assistant bubble's HTML for ``question`` (the last message of the chat)."""
    box, chat = client.predict(question, since, until, "extractive", top_k, False, api_name="/chat")
    assert box == ""  # the question box is cleared
    assert chat[-1]["role"] == "assistant"
    content: Any = chat[-1]["content"]
    return str(content[0]["text"] if isinstance(content, list) else content)


def test_seed_question_is_answered_with_dated_sources(served: Served) -> None:
    client = Client(served.url, verbose=False)
    out = ask(client, "Who met Elías Jaua in Guatemala?")
    expected = served.assistant.ask("Who met Elías Jaua in Guatemala?")
    assert "Kerry" in html.unescape(out)
    short = expected.short
    if short is not None:  # the page shows the short answer apart, in bold, then the rest
        assert f"<strong>{html.escape(short.text)}</strong>" in out
    assert render_text(expected.body) in out
    assert DATE.search(out), out[:500]
    first = expected.citations[0]
    assert html.escape(first.title) in out and human_date(first.published) in out
    assert out.count('<details class="qa-source') == len(expected.citations)


def test_unanswerable_question_abstains_visibly(served: Served) -> None:
    out = ask(Client(served.url, verbose=False), "Who won the 2022 football World Cup final?")
    assert ABSTAIN_LABEL in out and "qa-abstained" in out
    assert "Related passages" in out


def test_bad_date_is_a_friendly_message_not_a_crash(served: Served) -> None:
    out = ask(Client(served.url, verbose=False), "Who met Jaua?", since="June 2013")
    assert "qa-error" in out and "YYYY-MM-DD" in out and "Traceback" not in out


def test_date_range_limits_the_sources(served: Served) -> None:
    out = ask(Client(served.url, verbose=False), "What did Maduro say?", since="2019", until="2019")
    years = re.findall(r'<span class="qa-date"[^>]*>[^<]*?(\d{4})</span>', out)
    assert years and set(years) == {"2019"}


def test_follow_up_uses_the_conversation(served: Served) -> None:
    client = Client(served.url, verbose=False)
    ask(client, "What did Maduro say about meetings with US officials?")
    _, chat = client.predict(
        "What did he say after that?", "", "", "extractive", 5, False, api_name="/chat"
    )
    out = html.unescape(chat[-1]["content"][0]["text"])
    assert "Understood as: What did Maduro say after that?" in out
    # a new visitor has no conversation: the same words stand alone
    fresh = html.unescape(ask(Client(served.url, verbose=False), "What did he say after that?"))
    assert "Understood as" not in fresh


def test_eight_users_at_once_each_get_their_own_answer(served: Served) -> None:
    questions = [
        "Who met Elías Jaua in Guatemala?",
        "What did Maduro say about meetings with US officials?",
        "Why did Venezuela seek to restore the embassies?",
        "What did the US embassy say about travel to Venezuela?",
        "When did the United States and Venezuela agree to work toward talks?",
        "Who is John T. McNamara?",
        "What did John Bolton say?",
        "What happened to Venezuela's oil sales?",
    ]
    expected = {q: render_text(served.assistant.ask(q).body) for q in questions}

    def one(q: str) -> tuple[str, str]:
        return q, ask(Client(served.url, verbose=False), q)

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        results = list(pool.map(one, questions))
    for q, out in results:
        assert expected[q] in out, q


def test_pasted_article_is_answerable_at_once(served: Served) -> None:
    client = Client(served.url, verbose=False)
    text = (
        "A night ferry began crossing Lake Arenal on Monday. "
        "The ferry is captained by Tomás Brenes and carries 120 passengers."
    )
    before = len(served.assistant.snapshot().articles)
    table, summary, *_ = client.predict(
        None, "Lake Arenal gets a night ferry", "2024-11-18", text, api_name="/add_article"
    )
    titles = [row[0] for row in table["data"]]
    assert "Lake Arenal gets a night ferry" in titles
    assert summary.startswith(f"{before + 1} articles")
    out = html.unescape(ask(client, "Who captains the night ferry on Lake Arenal?"))
    assert "Tomás Brenes" in out and "18 Nov 2024" in out


def test_basic_auth_guards_the_page(served: Served, free_port: int) -> None:
    settings = served.assistant.settings.model_copy(update={"port": free_port, "auth": "ana:pw"})
    app = build_app(served.assistant)
    url = launch(app, settings, prevent_thread_lock=True)
    try:
        assert httpx.get(url + "config").status_code == 401
        client = Client(url, auth=("ana", "pw"), verbose=False)
        assert "Kerry" in ask(client, "Who met Elías Jaua in Guatemala?")
    finally:
        app.close()


def test_the_ask_endpoint_takes_the_question_alone_and_returns_the_json_shape(
    served: Served,
) -> None:
    client = Client(served.url, verbose=False)
    got = client.predict("Who met Elías Jaua in Guatemala?", api_name="/ask")
    expected = served.assistant.ask("Who met Elías Jaua in Guatemala?").to_json()
    assert set(got) == set(expected)
    assert {k: v for k, v in got.items() if k != "timings_ms"} == {
        k: v for k, v in expected.items() if k != "timings_ms"
    }
    assert client.predict("   ", api_name="/ask") == {
        "error": "Type a question about the articles first."
    }
