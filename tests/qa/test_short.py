"""The short answer: typed candidates from cited sentences, chosen by support."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import qa.short
from qa.combine import Combiner, Logistic
from qa.entities import Entity, EntityTagger
from qa.evidence import Evidence
from qa.ranking import decide, rescore, type_check
from qa.short import candidates, pick_short
from qa.snapshot import Sentence


def _cited(text: str, offset: int, n: int = 1) -> tuple[int, int, str, tuple[Entity, ...]]:
    return (n, offset, text, tuple(EntityTagger().tag([text])[0]))


def test_a_short_answer_is_a_verbatim_span_of_its_cited_sentence() -> None:
    body = "Markets fell. Microsoft bought Activision for $69 billion on Monday, the firms said."
    start = body.index("Microsoft")
    sentence = body[start:]
    cands = candidates("Which company bought Activision?", [_cited(sentence, start)])
    short = pick_short(cands, {"ORG": 0.9, "MONEY": 0.05}, [("a1", sentence.lower(), 0.8)])
    assert short is not None and short.text == "Microsoft"
    assert body[short.start : short.end] == short.text and short.n == 1


def test_entities_the_question_names_are_not_answers() -> None:
    sentence = "Activision was sold to Microsoft."
    cands = candidates("Who bought Activision?", [_cited(sentence, 0)])
    assert [c.text for c in cands] == ["Microsoft"]


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        # another form of a question word, a place of the question's adjective, an acronym
        ("How many senators voted against the Harbor Act?", "The vote was 51 to 49."),
        (
            "Which Valdorian minority group did the army protect?",
            "In Valdoria, the Kesh people protested.",
        ),
        ("Who chairs the Northern Fishing Council?", "NFC chair Ada Brun spoke."),
        ("Did the Federal Reserve cut rates in June?", "Lena Ortiz of the Fed voted no."),
    ],
)
def test_what_the_question_names_in_another_form_is_no_answer(question: str, sentence: str) -> None:
    # spaCy's real entities and noun chunks: the only candidate left is the new name
    from qa.entities import NounChunker

    ents = EntityTagger().tag([sentence])[0]
    chunks = NounChunker().tag([sentence])[0]
    found = {c.text for c in candidates(question, [(1, 0, sentence, (*ents, *chunks))])}
    asked = {"vote", "Valdoria", "NFC", "Fed"}
    assert not found & asked, found
    assert found & {"51", "49", "Kesh", "Ada Brun", "Lena Ortiz"}, found


def test_a_possessive_is_no_part_of_the_short_answer() -> None:
    body = "Crowds filled New York's streets."
    at = body.index("New York's")
    entity = Entity("New York's", "GPE", at, at + len("New York's"))
    cands = candidates("Which city?", [(1, 10, body, (entity,))])
    assert [(c.text, c.start, c.end) for c in cands] == [("New York", 10 + at, 18 + at)]
    assert ("." * 10 + body)[cands[0].start : cands[0].end] == "New York"


def test_noun_chunks_are_candidates_where_the_answer_is_no_entity() -> None:
    from qa.entities import NounChunker
    from qa.short import with_chunks

    sentence = "Bird flu has been found in dairy cows in Nevada, officials said on Monday."
    ents = EntityTagger().tag([sentence])[0]
    chunks = NounChunker().tag([sentence])[0]
    assert all(sentence[c.start : c.end] == c.text and c.label == "OTHER" for c in chunks)
    assert "Bird flu" in [c.text for c in chunks]
    assert "officials" in [c.text for c in chunks]  # no leading determiner kept
    merged = with_chunks(ents, chunks)
    labels = {e.text: e.label for e in merged}
    assert labels["Nevada"] == "GPE" and labels["Bird flu"] == "OTHER"  # entities win overlaps
    cands = candidates("Which virus was found in cows in Nevada?", [(1, 0, sentence, merged)])
    texts = [c.text for c in cands]
    assert "Bird flu" in texts and "Nevada" not in texts  # the question names Nevada
    short = pick_short(cands, {"OTHER": 0.8, "DATE": 0.1}, [("a1", sentence.lower(), 0.9)])
    assert short is not None and short.label == "OTHER"


def test_the_lead_feature_marks_candidates_of_the_first_citation() -> None:
    from qa.short import FEATURES, candidate_features

    cands = [
        qa.short.Candidate("Ann Lee", "PERSON", 1, 0, 7, "Ann Lee won."),
        qa.short.Candidate("Bob Stone", "PERSON", 2, 0, 9, "Bob Stone lost."),
    ]
    rows = candidate_features(cands, {"PERSON": 0.5}, [])
    assert rows[:, FEATURES.index("lead")].tolist() == [1.0, 0.0]


def test_support_from_two_articles_beats_one() -> None:
    cands = [
        qa.short.Candidate("Ann Lee", "PERSON", 1, 0, 7),
        qa.short.Candidate("Bob Stone", "PERSON", 1, 20, 29),
    ]
    support = [
        ("a1", "ann lee and bob stone met", 0.6),
        ("a2", "bob stone won the vote", 0.5),
    ]
    short = pick_short(cands, {"PERSON": 0.9}, support)
    assert short is not None and short.text == "Bob Stone"


def test_no_candidate_of_a_likely_type_means_no_short_answer() -> None:
    cands = [qa.short.Candidate("Monday", "DATE", 1, 0, 6)]
    assert pick_short(cands, {"PERSON": 0.95, "DATE": 0.01}, [("a", "monday", 0.9)]) is None
    assert pick_short([], {"PERSON": 1.0}, []) is None


def _ev(text: str, score: float) -> Evidence:
    return Evidence(Sentence("a", "body", 0, len(text), text), score, 0.5, 0.5, 0.5, 1.0)


class _Echo:
    """A behaving fake ranker: the logit is the number of words shared with the query."""

    def score(self, query: str, passages: list[str]) -> list[float]:
        q = set(query.lower().split())
        return [float(len(q & set(p.lower().split()))) for p in passages]


def _combiner(threshold: float = 0.5) -> Combiner:
    names = ("ce", "dense", "lexical", "cue", "context", "period", "missing", "prior", "first_rank")
    coef = np.zeros(len(names))
    coef[0] = 2.0  # only the ranker's logit counts
    sentence = Logistic(names, coef, -2.0, np.zeros(len(names)), np.ones(len(names)))
    answer_names = ("p1", "logit_p1", "ce1", "gap", "p_sum3", "type_ok", "type_other")
    acoef = np.zeros(len(answer_names))
    acoef[0], acoef[5] = 4.0, 4.0
    answer = Logistic(answer_names, acoef, -4.0, np.zeros(7), np.ones(7))
    return Combiner(sentence, answer, threshold, candidates=2, meta={})


def test_rescoring_orders_by_the_combined_probability() -> None:
    evidence = [_ev("nothing here at all", 0.9), _ev("globex bought acme", 0.5), _ev("x", 0.1)]
    out = rescore("who bought acme", evidence, _Echo(), _combiner())
    assert [e.sentence.text for e in out] == ["globex bought acme", "nothing here at all", "x"]
    assert out[0].prior == 0.5 and out[0].ce == 2.0 and 0 < out[0].score < 1
    assert out[2].score == 0.0  # beyond the candidates: never quoted


def test_the_decision_needs_the_answer_type() -> None:
    evidence = rescore("who bought acme", [_ev("globex bought acme", 0.5)], _Echo(), _combiner())
    named = [[Entity("Globex", "ORG", 0, 6)]]  # the entities of each top sentence
    types = {"ORG": 0.9, "OTHER": 0.0}
    yes = decide(evidence, named, "who bought acme", types, _combiner())
    no = decide(evidence, [[]], "who bought acme", types, _combiner())
    assert yes.answer and not no.answer and yes.confidence > no.confidence
    # a threshold given in the settings overrides the combiner's (0 = always answer)
    assert decide(evidence, [[]], "who bought acme", types, _combiner(), threshold=0.0).answer
    assert not decide(evidence, named, "who bought acme", types, _combiner(), threshold=1.0).answer


def test_type_check_ignores_what_the_question_names() -> None:
    ents = [Entity("Acme", "ORG", 0, 4)]
    assert type_check("Who bought Acme?", ents, {"ORG": 0.9}) == 0.0


def test_docstring_examples() -> None:
    import qa.combine
    import qa.ranking

    for module in (qa.short, qa.combine, qa.ranking):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_an_answers_body_is_its_text_after_the_short_answer() -> None:
    from qa.types import Answer, ShortAnswer

    text = "Globex [1]\n\nGlobex bought Acme on Monday. [1]"
    short = ShortAnswer("Globex", 1, 0, 6)
    assert Answer(text=text, short=short).body == "Globex bought Acme on Monday. [1]"
    assert Answer(text="Globex bought Acme. [1]").body == "Globex bought Acme. [1]"


def test_features_count_support_articles_and_mentions() -> None:
    from qa.short import FEATURES, candidate_features

    cands = [
        qa.short.Candidate("Ann Lee", "PERSON", 1, 0, 7, "Ann Lee won."),
        qa.short.Candidate("Bob Stone", "PERSON", 1, 0, 9, "Bob Stone lost."),
    ]
    support = [("a1", "ann lee won", 0.6), ("a1", "ann lee smiled", 0.4), ("a2", "ann lee", 0.2)]
    rows = candidate_features(cands, {"PERSON": 0.5}, support)
    f = [dict(zip(FEATURES, r, strict=True)) for r in rows]
    assert f[0]["support"] == 0.5 * (0.6 + 0.2)  # the best per article, summed over articles
    assert np.expm1(f[0]["articles"]) == pytest.approx(2) and np.expm1(
        f[0]["mentions"]
    ) == pytest.approx(3)
    assert f[1]["support"] == 0.0 and f[1]["mentions"] == 0.0


class _Prefers:
    """A behaving fake cross-encoder: a high logit for passages naming ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def score(self, query: str, passages: list[str]) -> list[float]:
        return [5.0 if p.startswith(self.name) else -5.0 for p in passages]


def _model(tmp_path: object, ce_weight: float) -> qa.short.ShortModel:
    import json
    from pathlib import Path

    from qa.short import FEATURES, ShortModel

    folder = Path(str(tmp_path))
    names = [*FEATURES, "ce"]
    coef = [0.0] * len(names)  # support, and the cross-encoder's logit
    coef[names.index("support")], coef[-1] = 1.0, ce_weight
    (folder / "weights.json").write_text(json.dumps({
        "features": names, "coef": coef, "mean": [0.0] * len(names),
        "scale": [1.0] * len(names),
    }))  # fmt: skip
    model = ShortModel(folder)
    model.ranker = _Prefers("Bob Stone")  # type: ignore[assignment]
    return model


def test_the_model_picks_among_candidates_and_the_support_floor_still_decides(
    tmp_path: object,
) -> None:
    sentence = "Ann Lee praised Bob Stone, who won the race."
    cands = candidates("Who won the race?", [_cited(sentence, 100)])
    support = [("a1", sentence.lower(), 0.6), ("a2", "ann lee spoke", 0.5)]
    types = {"PERSON": 0.9}
    assert pick_short(cands, types, support).text == "Ann Lee"  # type: ignore[union-attr]
    short = pick_short(cands, types, support, model=_model(tmp_path, 1.0), question="Who won?")
    assert short is not None and short.text == "Bob Stone"
    assert short.start == 100 + sentence.index("Bob Stone")  # still a span of the cited text
    # the model only chooses: below the support floor there is no short answer at all
    assert pick_short(cands, types, support, 5.0, _model(tmp_path, 1.0), "Who won?") is None
    # and with no weight on the cross-encoder, support wins as before
    plain = pick_short(cands, types, support, model=_model(tmp_path, 0.0), question="Who won?")
    assert plain is not None and plain.text == "Ann Lee"


def test_a_model_for_other_features_is_refused_with_the_fix(tmp_path: object) -> None:
    import json
    from pathlib import Path

    import pytest

    from index.errors import ModelMissing
    from qa.short import ShortModel

    folder = Path(str(tmp_path))
    with pytest.raises(ModelMissing, match="qa train --parts short"):
        ShortModel(folder)
    (folder / "weights.json").write_text(json.dumps({"features": ["x"], "coef": [1.0],
                                                     "mean": [0.0], "scale": [1.0]}))  # fmt: skip
    with pytest.raises(ModelMissing, match="retrain"):
        ShortModel(folder)


def test_the_cross_encoder_reads_only_the_candidates_the_other_features_rank_first(
    tmp_path: object,
) -> None:
    sentence = "Ann Lee praised Bob Stone, who won the race."
    cands = candidates("Who won the race?", [_cited(sentence, 0)])
    support = [("a1", "ann lee spoke", 0.5)]  # only Ann Lee has support
    rows = qa.short.candidate_features(cands, {"PERSON": 0.9}, support)
    model = _model(tmp_path, 1.0)
    seen: list[str] = []
    score = model.ranker.score
    model.ranker.score = lambda q, ps: seen.extend(ps) or score(q, ps)  # type: ignore[method-assign]
    full = model.scores("Who won?", cands, rows)
    assert [c.text for c in cands][int(np.argmax(full))] == "Bob Stone" and len(seen) == 2
    seen.clear()
    top1 = model.scores("Who won?", cands, rows, top=1)
    assert len(seen) == 1 and seen[0].startswith("Ann Lee")  # support ranks Ann Lee first
    assert np.isinf(top1).sum() == 1 and top1[int(np.argmax(top1))] == full[0]


def test_a_surname_chosen_is_given_in_full_where_a_quote_names_it_so() -> None:
    body = (
        "Zohran Mamdani won the primary on Tuesday, officials said. "
        "Mamdani thanked volunteers, and Mamdani's rival Andrew Cuomo conceded."
    )
    first, second = body.split(". ")
    second_at = body.index(second)
    cited = [_cited(second, second_at, 1), _cited(first + ".", 0, 2)]
    cands = candidates("Who won the mayoral primary?", cited)
    support = [("a1", second.lower(), 0.9), ("a2", first.lower(), 0.3)]
    short = pick_short(cands, {"PERSON": 0.9}, support)
    assert short is not None and short.text == "Zohran Mamdani" and short.n == 2
    assert body[short.start : short.end] == short.text
