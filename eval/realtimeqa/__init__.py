"""``qa eval --benchmark realtimeqa``: real news questions over the real pages a search returned.

The data (RealTime QA, Kasai et al., NeurIPS 2023; weekly news quizzes 2022-2025, with the
scraped pages of each question) stays where it is, by default ``../shared/benchmarks/realtimeqa``,
and is read by path, never copied into this repository.

=========  =========================================================================
data.py    the files -> typed questions and pages; weeks and blocks; the article files a
           user would drop; gold pages; negatives
score.py   the scoring rules: right, strict, exact match, question words, error classes
run.py     one block: corpus -> real ``sync`` (kept per block and index settings) ->
           every system asked -> graded; ``--all-blocks`` pools each block separately
report.py  the console table, report.json/md/chart, eval/baseline-realtimeqa.json
=========  =========================================================================
"""
