"""(question, sentence) data for the evidence ranker, mined from the realtimeqa pages.

A question's sentences are what the product sees: each page cleaned by
:func:`index.clean.clean` (its ``body``) and split by :func:`index.chunk.split_sentences`.
A *positive* is a sentence holding the answer text (folded, whole words); the others are
negatives, the hard ones being those that share the most words with the question.

    >>> item = RankItem("q1", "w1", "Who won the race?", "Ann Lee",
    ...                 ("The race was long.", "Ann Lee won the race.", "It rained."))
    >>> item.positives, item.by_overlap
    ((1,), (1, 0, 2))
    >>> g = make_group(item, negatives=1, positives=1, pool=1, random_negatives=0,
    ...                rng=random.Random(0))
    >>> g.texts, g.n_pos
    (('Ann Lee won the race.', 'The race was long.'), 1)
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from tqdm import tqdm

from eval.realtimeqa.data import Dataset, Page, RtQuestion, contains_answer, fold
from index.chunk import split_sentences
from index.clean import clean
from qa.question import content_terms

__all__ = [
    "Group",
    "RankItem",
    "build_items",
    "cross_pools",
    "make_group",
    "mine_groups",
    "overlap_ranking",
    "page_sentences",
    "split_holdout",
]

log = logging.getLogger(__name__)


def page_sentences(page: Page) -> list[str]:
    """The sentences of a page as the product sees them: cleaned body, split with offsets.

    >>> page_sentences(Page("p", "", "Talks", None, "Kerry met Jaua. They agreed.\\n\\n2 min read"))
    ['Kerry met Jaua.', 'They agreed.']
    """
    body = clean(page.file_text()).body
    return [body[s:e] for s, e in split_sentences(body)]


def overlap_ranking(question: str, sentences: Sequence[str]) -> tuple[int, ...]:
    """Sentence indices by the number of distinct question terms (stemmed content words)
    each holds, most first; ties keep page order. This is the "word overlap" baseline.

    >>> overlap_ranking("When did Kerry meet Jaua?", ["Jaua spoke.", "Kerry met Jaua.", "No."])
    (1, 0, 2)
    """
    terms = set(content_terms(question))
    counts = [len(terms.intersection(content_terms(s))) for s in sentences]
    return tuple(sorted(range(len(sentences)), key=lambda i: -counts[i]))


@dataclass(frozen=True)
class RankItem:
    """One answerable question with every sentence of its pages (page order)."""

    id: str
    week: str
    question: str
    answer: str
    sentences: tuple[str, ...]

    @cached_property
    def positives(self) -> tuple[int, ...]:
        """Indices of the sentences holding the answer (may be empty: lost in cleaning)."""
        return tuple(
            i for i, s in enumerate(self.sentences) if contains_answer(fold(s), self.answer)
        )

    @cached_property
    def by_overlap(self) -> tuple[int, ...]:
        """All sentence indices, best word overlap with the question first."""
        return overlap_ranking(self.question, self.sentences)


def build_items(
    ds: Dataset, split: str, limit: int | None = None, progress: bool = True
) -> list[RankItem]:
    """The split's questions whose answer is in their pages, with their pages' sentences.

    Questions whose positives were lost in cleaning stay in (they count as misses when
    measuring); ``limit`` keeps the first N (for quick runs).
    """
    questions = [q for q in ds.questions(split) if q.answer_in_pages][:limit]
    return items_from(questions, ds.pages, progress=progress, desc=f"sentences ({split})")


def items_from(
    questions: Iterable[RtQuestion],
    pages: Mapping[str, Page],
    progress: bool = False,
    desc: str = "sentences",
) -> list[RankItem]:
    """:class:`RankItem` per question; each page is cleaned and split once."""
    cache: dict[str, list[str]] = {}
    items = []
    for q in tqdm(list(questions), desc=desc, disable=not progress, leave=False):
        sentences: list[str] = []
        for pid in q.pages:
            if pid in pages:
                if pid not in cache:
                    cache[pid] = page_sentences(pages[pid])
                sentences += cache[pid]
        item = RankItem(q.id, q.week, q.question, q.answer, tuple(sentences))
        _ = item.positives, item.by_overlap  # computed once, here, under the progress bar
        items.append(item)
    return items


def split_holdout(
    items: Sequence[RankItem], fraction: float, seed: int
) -> tuple[list[RankItem], list[RankItem]]:
    """(fit, held out): whole weeks held out (a week's questions share pages), drawn
    with a seeded generator, about ``fraction`` of the weeks.

    >>> its = [RankItem(str(i), f"w{i % 4}", "?", "x", ()) for i in range(8)]
    >>> fit, held = split_holdout(its, 0.25, seed=0)
    >>> len(fit), len(held), {i.week for i in held}.isdisjoint({i.week for i in fit})
    (6, 2, True)
    """
    weeks = sorted({i.week for i in items})
    n_held = round(len(weeks) * fraction)
    held_weeks = set(random.Random(seed).sample(weeks, n_held)) if n_held else set()
    return (
        [i for i in items if i.week not in held_weeks],
        [i for i in items if i.week in held_weeks],
    )


def cross_pools(items: Sequence[RankItem], pool: int) -> dict[str, tuple[str, ...]]:
    """For each question, the ``pool`` sentences of the same week's *other* questions'
    pages that share most of its terms and do not hold its answer: what the product reads
    for it from the rest of a week's news (the report of another event of the same kind).

    >>> a = RankItem("a", "w", "Which oil firm cut jobs?", "Acme", ("Acme cut jobs.",))
    >>> b = RankItem("b", "w", "Who won?", "Lee", ("Zed Oil cut jobs.", "Lee won.", "Acme cut."))
    >>> cross_pools([a, b], pool=1)["a"]
    ('Zed Oil cut jobs.',)
    """
    by_week: dict[str, list[RankItem]] = {}
    for item in items:
        by_week.setdefault(item.week, []).append(item)
    out: dict[str, tuple[str, ...]] = {}
    for week_items in by_week.values():
        sentences = list(dict.fromkeys(s for it in week_items for s in it.sentences))
        index: dict[str, list[int]] = {}
        for i, sent in enumerate(sentences):
            for t in set(content_terms(sent)):
                index.setdefault(t, []).append(i)
        for item in week_items:
            own = set(item.sentences)
            counts: dict[int, int] = {}
            for t in set(content_terms(item.question)):
                for i in index.get(t, ()):
                    counts[i] = counts.get(i, 0) + 1
            ranked = sorted(counts, key=lambda i: (-counts[i], i))
            picked = [
                sentences[i]
                for i in ranked
                if sentences[i] not in own and not contains_answer(fold(sentences[i]), item.answer)
            ]
            out[item.id] = tuple(picked[:pool])
    return out


@dataclass(frozen=True)
class Group:
    """One softmax group: ``n_pos`` answering sentences first, then the negatives."""

    question: str
    texts: tuple[str, ...]
    n_pos: int = 1


def make_group(
    item: RankItem,
    negatives: int,
    positives: int,
    pool: int,
    random_negatives: int,
    rng: random.Random,
    cross: Sequence[str] = (),
    cross_negatives: int = 0,
) -> Group | None:
    """A group for one question: up to ``positives`` answering sentences (those sharing most
    words with the question), then
    ``negatives`` others: ``random_negatives`` drawn from the whole page set, the rest from
    the ``pool`` best by word overlap (hard negatives). None when the question has no
    positive or no negative. ``cross_negatives`` more are drawn from ``cross`` (other
    questions' pages: :func:`cross_pools`)."""
    if not item.positives:
        return None
    pos = set(item.positives)
    # the answering sentences that share most words with the question: a sentence merely
    # mentioning the answer ("Japan" in an unrelated line) is a noisy positive
    by_words = [i for i in item.by_overlap if i in pos]
    chosen_pos = by_words[: min(positives, len(by_words))]
    hard = [i for i in item.by_overlap[: pool + len(pos)] if i not in pos][:pool]
    n_random = min(random_negatives, negatives)
    picked = rng.sample(hard, min(negatives - n_random, len(hard)))
    rest = [i for i in range(len(item.sentences)) if i not in pos and i not in set(picked)]
    picked += rng.sample(rest, min(negatives - len(picked), len(rest)))
    if not picked:
        return None
    others = rng.sample(list(cross), min(cross_negatives, len(cross)))
    texts = tuple(item.sentences[i] for i in [*chosen_pos, *picked]) + tuple(others)
    return Group(item.question, texts, n_pos=len(chosen_pos))


def mine_groups(
    items: Sequence[RankItem],
    negatives: int = 7,
    positives: int = 1,
    pool: int = 30,
    random_negatives: int = 1,
    seed: int = 0,
    cross: Mapping[str, Sequence[str]] | None = None,
    cross_negatives: int = 0,
) -> list[Group]:
    """One group per question that has a positive, negatives drawn afresh for each ``seed``
    (one seed per epoch), in a seeded shuffled order; ``cross``: :func:`cross_pools`."""
    rng = random.Random(seed)
    groups = [
        g
        for item in items
        if (
            g := make_group(
                item,
                negatives,
                positives,
                pool,
                random_negatives,
                rng,
                (cross or {}).get(item.id, ()),
                cross_negatives,
            )
        )
        is not None
    ]
    rng.shuffle(groups)
    return groups
