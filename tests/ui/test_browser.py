"""End to end in a real headless Chromium: ask, read dated sources, upload an article, ask again.

Needs Debian's chromium and the playwright Python package (no browser download):
``apt-get install -y chromium`` and ``pip install playwright``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.ui.conftest import Served

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
DATE = re.compile(r"^(\d{1,2} )?[A-Z][a-z]{2} \d{4}$")
TIMEOUT_MS = 90_000

ARTICLE = """Puerto Lindo opens its first desalination plant

The port town of Puerto Lindo opened a seawater desalination plant on Monday.
The plant was designed by the engineer Marisol Quintero and supplies 40,000 homes.
A sign at the gate read <img src=x onerror="window.__xss=1"> in large letters.
"""


@pytest.fixture(scope="module")
def page(served: Served) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install it with `apt-get install -y chromium`")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright missing: `pip install playwright`"
    )
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(TIMEOUT_MS)
        tab.outside_requests = []
        base = served.url.rstrip("/")
        tab.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((base, "data:", "blob:"))
                else tab.outside_requests.append(r.url)
            ),
        )
        tab.goto(served.url)
        yield tab
        browser.close()


def ask(page: Any, question: str, nth: int) -> Any:
    """Type ``question``, press Enter, return the ``nth`` finished answer bubble."""
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")
    answer = page.locator(".qa-answer:not(.qa-streaming)").nth(nth)
    answer.wait_for()
    return answer


def test_ask_upload_and_ask_again(page: Any, served: Served, tmp_path: Path) -> None:
    before = len(served.assistant.snapshot().articles)
    page.get_by_text(f"{before} articles").wait_for()

    first = ask(page, "Who met Elías Jaua in Guatemala?", 0)
    assert "Kerry" in first.inner_text()
    dates = first.locator(".qa-source .qa-date").all_inner_texts()
    assert dates and all(DATE.match(d.strip()) for d in dates), dates
    first.locator(".qa-source summary").first.click()
    assert first.locator(".qa-article mark").first.is_visible()

    page.get_by_role("tab", name="Articles").click()
    upload = tmp_path / "puerto-lindo.md"
    upload.write_text(ARTICLE, encoding="utf-8")
    page.locator("#qa-upload input[type=file]").set_input_files(str(upload))
    page.get_by_label("Published (optional)").fill("2025-03-03")
    page.locator("#qa-upload").get_by_text("puerto-lindo").wait_for()  # upload finished
    page.locator("#qa-add").click()
    page.locator("#qa-articles").get_by_text("Puerto Lindo opens its first").wait_for()
    page.get_by_text(f"{before + 1} articles").wait_for()
    assert (served.assistant.settings.corpus_dir / "puerto-lindo.md").exists()

    page.get_by_role("tab", name="Ask").click()
    second = ask(page, "Who designed the desalination plant in Puerto Lindo?", 1)
    text = second.inner_text()
    assert "Marisol Quintero" in text and "3 Mar 2025" in text
    second.locator(".qa-source summary").first.click()
    assert second.locator("img").count() == 0  # article markup is shown as text
    assert page.evaluate("window.__xss") is None
    assert page.outside_requests == []  # the page works offline

    OUTPUT.mkdir(exist_ok=True)
    page.evaluate("document.querySelector('#qa-chat .bubble-wrap').scrollTop = 1e9")
    page.screenshot(path=str(OUTPUT / "ui-chat.png"), full_page=True)
    page.get_by_role("tab", name="Articles").click()
    page.screenshot(path=str(OUTPUT / "ui-articles.png"), full_page=True)


def test_clear_resets_the_conversation(page: Any) -> None:
    page.get_by_role("tab", name="Ask").click()
    page.locator("#qa-clear").click()
    page.locator(".qa-answer").first.wait_for(state="detached")
    ask(page, "What did Maduro say about meetings with US officials?", 0)
    followup = ask(page, "What did he say after that?", 1)
    assert "Understood as: What did Maduro say after that?" in followup.inner_text()
    page.locator("#qa-clear").click()
    page.locator(".qa-answer").first.wait_for(state="detached")
    fresh = ask(page, "What did he say after that?", 0)
    assert "Understood as" not in fresh.inner_text()
