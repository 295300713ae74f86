# make run: set up and serve the API on SQLite with the seeds loaded, at http://127.0.0.1:8000
# make test: set up, check the import layers (lint-imports), and run every test, on SQLite and on PostgreSQL
# make test-fast: the same without the slow groups (fuzzing, reliability, browsers, Docker, subprocess servers), in parallel
# make eval: score conflicts, matching, topics and attribution on the test half of eval/data (EVAL_ARGS=--dev to tune)
# make bench: benchmark 1,000,000 claims against the bare-stack ceiling (BENCH_ARGS="--claims 50000" for less)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000
# The fast lane's pytest workers: one more than the cores, since each waits on the database about a third of
# its time (on 2 cores: 2 workers 3 min 2 s, 3 workers 2 min 48 s, 4 workers 2 min 44 s).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: setup run test test-fast lint bench eval clean

$(BIN)/claimledger: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/claimledger

run: setup
	$(BIN)/claimledger migrate
	$(BIN)/claimledger seed
	$(BIN)/claimledger serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/lint-imports
	CLAIMLEDGER_TEST_POSTGRES_URL=$(POSTGRES_URL) $(BIN)/python -m pytest

test-fast: setup
	$(BIN)/lint-imports
	CLAIMLEDGER_TEST_POSTGRES_URL=$(POSTGRES_URL) $(BIN)/python -m pytest -m "not slow" -n $(TEST_WORKERS)

lint: setup
	$(BIN)/ruff check service tests bench

bench: setup
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

eval: setup
	$(BIN)/python eval/run.py $(EVAL_ARGS)
	$(BIN)/python eval/articles.py $(EVAL_ARGS)

clean:
	rm -rf $(VENV) *.egg-info claimledger.db claimledger.db-*
