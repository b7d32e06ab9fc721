"""Metrics on worked examples, edge cases and a few properties."""

from __future__ import annotations

import doctest
import importlib
import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eval.metrics import (
    CitationScores,
    abstention_scores,
    answer_correct,
    citation_scores,
    exact_match,
    f1,
    hit_at_k,
    is_stale_answer,
    mrr_at_k,
    ndcg_at_k,
    normalize_answer,
    percentile,
    recall_at_k,
    split_answer_sentences,
)


@pytest.mark.parametrize("name", ["eval.metrics", "eval.judge", "eval.questions"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------------ retrieval


def test_retrieval_metrics_on_a_worked_ranking() -> None:
    ranked = ["x", "a", "y", "b"]
    relevant = {"a", "b"}
    assert hit_at_k(ranked, relevant, 1) == 0.0
    assert hit_at_k(ranked, relevant, 2) == 1.0
    assert recall_at_k(ranked, relevant, 2) == 0.5
    assert recall_at_k(ranked, relevant, 4) == 1.0
    assert mrr_at_k(ranked, relevant, 4) == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3)
    assert ndcg_at_k(ranked, relevant, 4) == pytest.approx(dcg / idcg)


def test_ndcg_cuts_the_ideal_list_at_k() -> None:
    # three relevant, k = 2, both slots relevant: perfect within the cut.
    assert ndcg_at_k(["a", "b", "x"], {"a", "b", "c"}, 2) == pytest.approx(1.0)
    # an uncut ideal (3 hits) would give (1 + 1/log2 3) / (1 + 1/log2 3 + 1/2) < 1.
    assert ndcg_at_k(["x", "a"], {"a"}, 1) == 0.0


def test_a_repeated_id_counts_once() -> None:
    ranked = ["a", "a", "a"]
    assert recall_at_k(ranked, {"a", "b"}, 3) == 0.5
    assert ndcg_at_k(ranked, {"a", "b"}, 3) == pytest.approx(1 / (1 + 1 / math.log2(3)))


@pytest.mark.parametrize("metric", [hit_at_k, recall_at_k, mrr_at_k, ndcg_at_k])
def test_no_relevant_ids_or_bad_k_is_an_error(metric: Callable[..., float]) -> None:
    with pytest.raises(ValueError, match="no relevant ids"):
        metric(["a"], set(), 3)
    with pytest.raises(ValueError, match="k must be at least 1"):
        metric(["a"], {"a"}, 0)


def test_empty_retrieval_scores_zero() -> None:
    assert hit_at_k([], {"a"}, 5) == recall_at_k([], {"a"}, 5) == ndcg_at_k([], {"a"}, 5) == 0.0


ids = st.lists(st.sampled_from("abcdefg"), max_size=10)


@given(ranked=ids, relevant=st.sets(st.sampled_from("abcdefg"), min_size=1), k=st.integers(1, 12))
def test_retrieval_metrics_stay_in_range(ranked: list[str], relevant: set[str], k: int) -> None:
    values = [f(ranked, relevant, k) for f in (hit_at_k, recall_at_k, mrr_at_k, ndcg_at_k)]
    assert all(0.0 <= v <= 1.0 + 1e-9 for v in values)
    assert (values[0] == 0.0) == (values[3] == 0.0) == (values[1] == 0.0)


@given(relevant=st.sets(st.sampled_from("abcdefg"), min_size=1), k=st.integers(1, 12))
def test_relevant_first_is_perfect(relevant: set[str], k: int) -> None:
    ranked = [*sorted(relevant), "z"]
    assert ndcg_at_k(ranked, relevant, k) == pytest.approx(1.0)
    assert mrr_at_k(ranked, relevant, k) == 1.0


# ------------------------------------------------------------------ answers


def test_normalisation_and_scores() -> None:
    assert normalize_answer("The Chávez-era U.S. embassy!") == "chavez era us embassy"
    assert exact_match("Elias Jaua.", ["Elías Jaua"]) == 1.0
    assert exact_match("Jaua met Kerry", ["Jaua"]) == 0.0
    assert f1("Jaua met Kerry", ["Jaua"]) == pytest.approx(0.5)
    assert f1("anything", []) == 0.0


def test_answer_correct_matches_whole_tokens() -> None:
    assert answer_correct("Foro Penal counted 278 political prisoners [1].", ["278"])
    assert not answer_correct("Foro Penal counted 2780 prisoners.", ["278"])
    assert answer_correct("Interim President Delcy Rodríguez.", ["Delcy Rodriguez"])
    assert not answer_correct("Jorge Rodriguez announced it.", ["Delcy Rodriguez"])
    assert not answer_correct("no aliases", [])


def test_stale_answer_detection() -> None:
    current, stale = ["reopened"], ["closed", "suspended"]
    assert is_stale_answer("The embassy remains closed.", current, stale)
    assert not is_stale_answer("Closed in 2019, it has since reopened.", current, stale)
    assert not is_stale_answer("I don't know.", current, stale)


def test_percentiles() -> None:
    latencies = [120.0, 80.0, 100.0, 400.0]
    assert percentile(latencies, 50) == 110.0
    assert percentile(latencies, 95) == pytest.approx(358.0)
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_abstention_rates() -> None:
    s = abstention_scores([(True, True), (True, True), (True, False), (False, True)])
    assert s.rejection_rate == pytest.approx(2 / 3)
    assert s.false_refusal_rate == 1.0
    empty = abstention_scores([(False, False)])
    assert empty.rejection_rate is None and empty.false_refusal_rate == 0.0


# ------------------------------------------------------------------ citations


def test_split_answer_sentences_handles_marker_placement() -> None:
    text = "Maduro was captured in January [2]. The embassy reopened.[1][3] Sources vary."
    assert split_answer_sentences(text) == [
        ("Maduro was captured in January.", [2]),
        ("The embassy reopened.", [1, 3]),
        ("Sources vary.", []),
    ]
    assert split_answer_sentences("Mr. Kerry met Jaua [1, 1].") == [("Mr. Kerry met Jaua.", [1])]
    assert split_answer_sentences("") == []


def _words_judge(claim: str, passage: str) -> bool:
    """Supported when every word of the claim is a word of the passage."""
    return set(claim.lower().rstrip(".").split()) <= set(passage.lower().split())


PASSAGES = {
    1: "kerry met jaua in antigua",
    2: "kerry met jaua",
    3: "in antigua",
    4: "the weather was fine",
}


def test_citation_recall_and_precision_follow_alce() -> None:
    sentences = [
        ("Kerry met Jaua.", [2, 4]),  # supported; 4 is irrelevant
        ("Kerry met Jaua in Antigua.", [2, 3]),  # only jointly: both needed
        ("Kerry met Jaua in Antigua.", [1, 2]),  # 1 alone supports; 2 is redundant
        ("The weather was bad.", [4]),  # unsupported: its citation scores 0
        ("Kerry met Jaua.", []),  # no citation: recall 0
    ]
    s = citation_scores(sentences, PASSAGES, _words_judge)
    assert s == CitationScores(recall=3 / 5, precision=4 / 7, n_sentences=5, n_citations=7)


def test_a_citation_with_no_passage_fails_its_sentence() -> None:
    s = citation_scores([("Kerry met Jaua.", [2, 9])], PASSAGES, _words_judge)
    assert (s.recall, s.precision) == (0.0, 0.0)


def test_no_sentences_scores_zero() -> None:
    assert citation_scores([], PASSAGES, _words_judge) == CitationScores(0.0, 0.0, 0, 0)
