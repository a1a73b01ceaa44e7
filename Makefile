# Polytask developer commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-sqlite test-postgres check lint format typecheck arch bench bench-cpu bench-paired bench-all bench-queries bench-webhooks clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml clients/python/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip install --quiet --no-deps -e clients/python
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

run: $(STAMP) ## Migrate and serve the API on SQLite at http://127.0.0.1:8000
	$(BIN)/polytask serve

test: $(STAMP) ## Run the whole suite on SQLite, then on PostgreSQL, always both; one summary line each; fails if either failed
	@sqlite=0; postgres=0; \
	POLYTASK_TEST_DB=sqlite ./scripts/with-redis.sh $(BIN)/pytest $(ARGS) || sqlite=$$?; \
	POLYTASK_TEST_DB=postgres ./scripts/with-postgres.sh ./scripts/with-redis.sh $(BIN)/pytest $(ARGS) || postgres=$$?; \
	echo; echo "make test summary:"; \
	for pair in "sqlite $$sqlite" "postgres $$postgres"; do set -- $$pair; \
	  if [ "$$2" = 0 ]; then echo "  $$1: passed"; else echo "  $$1: FAILED (pytest exit $$2)"; fi; done; \
	[ "$$sqlite" = 0 ] && [ "$$postgres" = 0 ]

test-sqlite: $(STAMP) ## Run the suite on SQLite only
	POLYTASK_TEST_DB=sqlite ./scripts/with-redis.sh $(BIN)/pytest $(ARGS)

test-postgres: $(STAMP) ## Run the suite on PostgreSQL only
	POLYTASK_TEST_DB=postgres ./scripts/with-postgres.sh ./scripts/with-redis.sh $(BIN)/pytest $(ARGS)

check: $(STAMP) ## Lint, type-check and run the architecture tests
	$(BIN)/ruff check src tests bench clients/python
	$(BIN)/ruff format --check src tests bench clients/python
	$(BIN)/mypy
	POLYTASK_TEST_DB=sqlite $(BIN)/pytest -q tests/architecture

format: $(STAMP) ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format src tests bench clients/python
	$(BIN)/ruff check --fix src tests bench clients/python

bench: $(STAMP) ## Throughput table vs the floor endpoint (100k tasks), targets PASS/MISS: SQLite, then durable PostgreSQL (about 8 min)
	$(BIN)/python bench/run.py $(ARGS)

bench-cpu: $(STAMP) ## CPU per request in-process (load-independent), each row of the bench table, SQLite
	$(BIN)/python bench/cpu.py $(ARGS)

bench-paired: $(STAMP) ## Old and new code of a function in one process, taking turns: ARGS="--data DIR TOGGLE.py GET /v1/tasks" (bench/paired.py)
	$(BIN)/python bench/paired.py $(ARGS)

bench-all: $(STAMP) ## make bench, then query latency at 10k vs 1M tasks and webhook latency (long: 30 min or more)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/queries.py
	./scripts/with-postgres.sh ./scripts/with-redis.sh $(BIN)/python bench/webhook_latency.py

bench-webhooks: $(STAMP) ## Webhook event -> delivered latency at 10, 100 and 500 events/s (bulk-created): embedded, worker + bus; SQLite, PostgreSQL
	./scripts/with-postgres.sh ./scripts/with-redis.sh $(BIN)/python bench/webhook_latency.py $(ARGS)

bench-queries: $(STAMP) ## Query latency only: filtered, custom-field, search and deep-cursor lists at 10k vs 1M tasks
	$(BIN)/python bench/queries.py $(ARGS)

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
