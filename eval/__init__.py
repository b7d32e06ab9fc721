"""Evaluation: the known questions, the metrics, and the support judge.

``questions`` loads and checks ``questions.jsonl`` against the corpus, ``metrics`` holds pure
scoring functions (retrieval, answers, abstention, staleness, ALCE citations) and ``judge``
decides whether a passage supports a claim. The benchmark runner builds on these.
"""
