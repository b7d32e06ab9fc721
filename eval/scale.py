"""Corpora of a chosen size made of real news text, for the benchmark.

Sources: the seed articles plus the 300 ABC news articles shipped in the ``gensim`` wheel
(``lee_background.cor``, one article per line). Past those, new articles are made by
recombining real paragraphs (runs of consecutive sentences of one source article) from
several source articles; every article gets a distinct id and distinct content.

    >>> paragraphs("One. Two. Three. Four. Five.", per=2)
    ['One. Two.', 'Three. Four.', 'Five.']
    >>> title_from("The minister said on Tuesday that talks would resume soon, officials said.", 10)
    'The minister said on Tuesday that talks would resume soon'

``write_corpus(folder, target_chunks, settings)`` writes ``.txt`` files (headline, dateline,
paragraphs) until the articles chunk to at least ``target_chunks`` chunks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.chunk import chunk_article, split_sentences
from index.config import IndexSettings
from index.errors import UserError
from index.ingest import load_corpus, parse_article

LEE_FILE = "lee_background.cor"
_CITIES = ("Sydney", "Canberra", "Melbourne", "Brisbane", "Perth", "Adelaide", "Hobart", "Darwin")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()


@dataclass(frozen=True)
class Source:
    """A real article: an id, a headline and its paragraphs."""

    id: str
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class CorpusStats:
    """What :func:`write_corpus` wrote."""

    folder: Path
    articles: int
    chunks: int
    real_articles: int
    generated_articles: int


def paragraphs(text: str, per: int = 3) -> list[str]:
    """``text`` split into paragraphs of ``per`` consecutive sentences."""
    sentences = [text[s:e] for s, e in split_sentences(text)]
    return [" ".join(sentences[i : i + per]) for i in range(0, len(sentences), per)]


def title_from(sentence: str, max_words: int = 12) -> str:
    """A headline from a sentence: its first words, without closing punctuation."""
    words = sentence.split()[:max_words]
    return re.sub(r"[\s.,;:!?\"'”’]+$", "", " ".join(words))


def lee_path() -> Path:
    """The ABC news file in the gensim wheel (found without importing gensim, which is slow)."""
    import importlib.util

    spec = importlib.util.find_spec("gensim")
    path = None
    if spec is not None and spec.submodule_search_locations:
        base = Path(next(iter(spec.submodule_search_locations)))
        path = base / "test" / "test_data" / LEE_FILE
    if path is None or not path.is_file():
        raise UserError(
            "The benchmark corpus needs the gensim package (its test data holds 300 news "
            "articles). Install it with: pip install -e '.[bench]'  (or: pip install gensim)"
        )
    return path


def load_sources(seeds_dir: Path | None, settings: IndexSettings) -> list[Source]:
    """The seed articles (when ``seeds_dir`` is given) and the 300 ABC articles."""
    sources: list[Source] = []
    if seeds_dir is not None:
        for a in load_corpus(seeds_dir, settings).articles:
            paras = [p.strip() for p in a.body.split("\n\n") if p.strip()]
            sources.append(Source(a.id, a.title, tuple(paras)))
    lines = lee_path().read_text(encoding="latin-1").splitlines()
    seen: set[str] = set()
    for i, line in enumerate(line.strip() for line in lines):
        paras = paragraphs(line)
        if paras and line not in seen:  # the file repeats a few articles
            seen.add(line)
            sources.append(Source(f"abc_{i:03d}", title_from(paras[0]), tuple(paras)))
    return sources


def _dateline(rng: random.Random) -> str:
    day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9000))
    return f"{rng.choice(_CITIES)}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _render(title: str, dateline: str | None, paras: tuple[str, ...] | list[str]) -> str:
    head = [title, dateline] if dateline else [title]
    return "\n\n".join([*head, *paras]) + "\n"


def generated_articles(
    sources: list[Source], rng: random.Random, start: int = 0
) -> Iterator[tuple[str, str]]:
    """Endless ``(id, text)`` of new articles: 3-8 real paragraphs from 2-5 sources each."""
    pool = [(s, i) for s in sources for i in range(len(s.paragraphs))]
    seen: set[str] = set()
    n = start
    while True:
        picks = rng.sample(pool, rng.randint(3, 8))
        paras = tuple(src.paragraphs[i] for src, i in picks)
        digest = hashlib.sha1("\n".join(paras).encode()).hexdigest()
        if digest in seen or len({src.id for src, _ in picks}) < 2:
            continue
        seen.add(digest)
        title = f"{title_from(paras[0], 9)}: a roundup"
        yield f"gen_{n:06d}", _render(title, _dateline(rng), paras)
        n += 1


def write_corpus(
    folder: Path,
    target_chunks: int,
    settings: IndexSettings,
    seeds_dir: Path | None = None,
    seed: int = 13,
) -> CorpusStats:
    """Write article files into ``folder`` until they make at least ``target_chunks`` chunks.

    Real articles come first (seeds, then ABC), then generated ones. Deterministic for a
    given ``seed``, so the same size gives the same texts (and the embedding cache hits).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    sources = load_sources(seeds_dir, settings)
    chunks = 0
    written = 0
    real = 0

    def emit(article_id: str, text: str) -> None:
        nonlocal chunks, written
        path = folder / f"{article_id}.txt"
        path.write_text(text, encoding="utf-8")
        article = parse_article(text, article_id, path=str(path))
        chunks += len(chunk_article(article, settings.chunk_tokens, settings.chunk_overlap))
        written += 1

    if seeds_dir is not None:
        for path in sorted(seeds_dir.iterdir()):
            if path.is_file():
                (folder / path.name).write_bytes(path.read_bytes())
        seeds = load_corpus(folder, settings).articles
        for a in seeds:
            chunks += len(chunk_article(a, settings.chunk_tokens, settings.chunk_overlap))
        written += len(seeds)
        real += len(seeds)
    for s in sources:
        if chunks >= target_chunks:
            break
        if s.id.startswith("abc_"):
            emit(s.id, _render(s.title, _dateline(rng), s.paragraphs))
            real += 1
    for article_id, text in generated_articles(sources, rng):
        if chunks >= target_chunks:
            break
        emit(article_id, text)
    return CorpusStats(folder, written, chunks, real, written - real)
