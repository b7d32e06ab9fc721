"""The reranker seam: registry, errors, and the shipped evidence ranker (real weights, offline)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from index.errors import UserError
from qa import rerank
from qa.rerank import (
    RERANKERS,
    SHIPPED_RANKER,
    CrossEncoderReranker,
    NoReranker,
    Reranker,
    RerankerMissing,
    get_reranker,
)

REPO = Path(__file__).resolve().parents[2]

# The shipped model's behaviour tests run wherever its weights are in the package.
needs_weights = pytest.mark.skipif(
    not (SHIPPED_RANKER / "model.safetensors").is_file(),
    reason="no shipped evidence ranker: qa train --data ../shared/benchmarks/realtimeqa",
)

# Hand-made, not from the data: an answering sentence and on-topic sentences that lack the answer.
CASES = [
    (
        "Who will open the Lowmere harbor festival?",
        "The festival will be opened by Mayor Ines Calder on Friday.",
        [
            "The Lowmere harbor festival returns this summer after a two-year break.",
            "Organisers expect record crowds at the Lowmere harbor festival.",
        ],
    ),
    (
        "How many people were evacuated after the flood in Oxby?",
        "About 4,500 people were evacuated from Oxby as the river burst its banks.",
        [
            "The flood in Oxby was the worst the town has seen in decades.",
            "People in Oxby were angry about the slow response to the flood.",
        ],
    ),
    (
        "Which country will host the 2031 Ocean Summit?",
        "Portugal will host the 2031 Ocean Summit, the organisers announced on Monday.",
        [
            "The 2031 Ocean Summit is expected to draw thousands of delegates.",
            "Several countries had bid to host the Ocean Summit.",
        ],
    ),
    (
        "Who won the Dunmore chess championship?",
        "Tomas Reyes won the Dunmore chess championship after a tense playoff.",
        [
            "The Dunmore chess championship drew players from twelve countries.",
            "The winner of the Dunmore chess championship will receive a trophy.",
        ],
    ),
]


def test_registry_names_and_errors(tmp_path: Path) -> None:
    assert {"evidence-minilm", "none"} <= set(RERANKERS)
    with pytest.raises(UserError, match=r"Unknown reranker 'nope'.*cross-encoder:<model folder>"):
        get_reranker("nope")
    with pytest.raises(RerankerMissing, match="No cross-encoder folder at"):
        get_reranker(f"cross-encoder:{tmp_path / 'absent'}")
    none = get_reranker("none")
    assert isinstance(none, NoReranker) and isinstance(none, Reranker)
    assert none.score("q", ["a", "b", "c"]) == [0.0, 0.0, 0.0]
    assert none.score("q", []) == []


def test_missing_weights_name_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rerank, "SHIPPED_RANKER", tmp_path / "gone")
    ranker = get_reranker("evidence-minilm")  # nothing loads yet
    with pytest.raises(RerankerMissing, match=r"qa train --data \.\./shared/benchmarks/realtimeqa"):
        ranker.score("Who won?", ["Ann won."])
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}")
    with pytest.raises(RerankerMissing, match=r"no weights"):
        get_reranker(f"cross-encoder:{tmp_path / 'half'}").score("q", ["p"])
    assert CrossEncoderReranker(tmp_path / "half").score("q", []) == []


@pytest.fixture(scope="module")
def shipped() -> CrossEncoderReranker:
    ranker = get_reranker("evidence-minilm")
    assert isinstance(ranker, CrossEncoderReranker)
    return ranker


@pytest.mark.slow
@needs_weights
@pytest.mark.parametrize(("question", "answer", "others"), CASES)
def test_shipped_ranker_puts_the_answer_first(
    shipped: CrossEncoderReranker, question: str, answer: str, others: list[str]
) -> None:
    scores = shipped.score(question, [*others, answer])
    assert len(scores) == len(others) + 1
    assert scores[-1] == max(scores), scores


@needs_weights
def test_shipped_ranker_scores_text_with_lone_surrogates(shipped: CrossEncoderReranker) -> None:
    # a str can hold them (pasted from a broken page); the tokenizer cannot
    scores = shipped.score("\ud800 which harbor \udfff?", ["The harbor \udc00 opened.", "Rain."])
    assert len(scores) == 2 and all(isinstance(x, float) for x in scores)


@needs_weights
def test_shipped_ranker_runs_frozen_with_the_eager_models_scores(
    shipped: CrossEncoderReranker,
) -> None:
    import torch

    question, answer, others = CASES[0]
    passages = [*others, answer, "A third, much longer passage that the batch pads the others to."]
    scores = shipped.score(question, passages)
    assert shipped._frozen is not None  # index/frozen.py kept the trace
    with torch.inference_mode():
        eager = shipped._model(**shipped._batch(question, passages)).logits.float()[:, -1].tolist()
    assert scores == pytest.approx(eager, abs=1e-4)


@pytest.mark.slow
@needs_weights
def test_shipped_ranker_is_thread_safe_and_order_free(shipped: CrossEncoderReranker) -> None:
    question, answer, others = CASES[0]
    passages = [*others, answer]
    expected = shipped.score(question, passages)
    assert shipped.score(question, passages[::-1]) == pytest.approx(expected[::-1], abs=1e-4)
    results: list[list[float]] = []

    def work() -> None:
        results.append(shipped.score(question, passages))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    assert all(r == pytest.approx(expected, abs=1e-4) for r in results)
    by_path = get_reranker(f"cross-encoder:{SHIPPED_RANKER}")
    assert by_path.score(question, passages) == pytest.approx(expected, abs=1e-4)


NO_NETWORK = r"""
import json, socket, sys

def _refuse(*a, **k):
    sys.stderr.write("NETWORK-ATTEMPT\n")
    raise OSError("network disabled by the test")

socket.socket.connect = socket.socket.connect_ex = _refuse
socket.create_connection = socket.getaddrinfo = _refuse

from qa.rerank import get_reranker
cases = json.loads(sys.argv[1])
ranker = get_reranker("evidence-minilm")
print(json.dumps([ranker.score(q, [*others, answer]) for q, answer, others in cases]))
"""


@pytest.mark.slow
@needs_weights
def test_shipped_ranker_loads_offline_with_sockets_blocked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QA_", "HF_", "TRANSFORMERS"))}
    env |= {"PYTHONPATH": str(REPO), "HOME": str(home), "HF_HOME": str(home / "hf")}
    env |= {"XDG_CACHE_HOME": str(home / "cache")}  # empty caches: nothing from a hub cache
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, json.dumps(CASES)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "NETWORK-ATTEMPT" not in result.stderr
    for scores in json.loads(result.stdout):
        assert scores[-1] == max(scores), scores
