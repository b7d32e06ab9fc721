"""A "now" question reads the newest articles' best passages even when older articles use
the question's words far more often (the hybrid ranking alone would leave them unread)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import make_article

from index.build import sync_articles
from index.store import open_store
from qa.assistant import Assistant
from qa.settings import Settings


@pytest.fixture(scope="module")
def town_bot(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Assistant:
    data: Path = tmp_path_factory.mktemp("latest-index")
    settings = Settings(corpus_dir=data / "none", data_dir=data)
    old = [
        make_article(
            f"old-{i}",
            f"Mayor Carlos Ortega of Tarija opened school number {i} in Tarija. "
            f"The mayor of Tarija said Tarija needs {i + 2} more schools. "
            "Tarija's council praised the mayor of Tarija.",
            published=f"20{10 + i}-05",
        )
        for i in range(10)
    ]
    new = make_article(
        "new",
        "Heavy rain closed the roads for a week. "
        "Floods damaged the bridges in the valley. "
        "The interim mayor of Tarija, Lucia Paz, visited the shelters on Monday.",
        published="2024-02",
    )
    store = open_store(settings, real_embedder, create=True)  # type: ignore[arg-type]
    sync_articles([*old, new], settings, real_embedder, store, progress=False)  # type: ignore[arg-type]
    return Assistant(settings, embedder=real_embedder, store=store, build_if_missing=False)  # type: ignore[arg-type]


def test_a_now_question_is_answered_from_the_newest_article(town_bot: Assistant) -> None:
    answer = town_bot.ask("Who is the mayor of Tarija now?")
    assert not answer.abstained, answer.text
    assert answer.citations[0].article_id == "new", answer.text
    assert "Lucia Paz" in answer.text
    assert any(c.article_id.startswith("old-") for c in answer.citations), "earlier reports"
