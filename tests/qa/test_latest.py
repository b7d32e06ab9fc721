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


def test_articles_dated_in_a_period_are_found_by_bisection_as_by_a_scan() -> None:
    import random

    from index.chunk import chunk_article
    from qa.snapshot import Snapshot
    from qa.timeref import sort_key

    rng = random.Random(7)
    dates = ["2013-06", "2019-08-21", "2024-07", "2026-01-10", "2026-03", None, "2019", "2019-08"]
    articles = {
        f"a{i}": make_article(f"a{i}", "Some text here.", published=rng.choice(dates))
        for i in range(40)
    }
    chunks = [c for a in articles.values() for c in chunk_article(a)]
    snap = Snapshot("g", articles, chunks)
    for lo, hi in [(20130600, 20130699), (20190000, 20199999), (20260100, 20260199),
                   (20190800, 20190899), (20000000, 20991231), (20300000, 20309999)]:  # fmt: skip
        scan = {
            aid
            for aid, a in articles.items()
            if (key := sort_key(a.published)) and lo <= key + 99 and key <= hi
        }
        assert set(snap.dated_between(lo, hi)) == scan, (lo, hi)
