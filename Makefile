# The whole dev loop. `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTEST_ARGS ?=
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install test-deps run ingest ask lint format typecheck test unit check

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The pinned CPU torch first (it lies on this machine's disk); an unpinned one is a CUDA build of GBs.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

ingest: install
	$(BIN)/followup ingest

ask: ingest
	$(BIN)/followup ask "At what dose does naltrexone change from partial to full opioid blockade?"

# Index the sample corpus, create the demo users once (keys printed), serve on loopback.
run: ingest
	$(BIN)/followup serve --demo --host 127.0.0.1 --port $${PORT:-8000}

lint: install
	$(BIN)/ruff check assistant server tests evals benchmarks
	$(BIN)/ruff format --check assistant server tests evals benchmarks

format: install
	$(BIN)/ruff format assistant server tests evals benchmarks
	$(BIN)/ruff check --fix assistant server tests evals benchmarks

typecheck: install
	$(BIN)/mypy

# System packages and cached builds some test suites need (browser, database, local LLM server).
test-deps: install
	@for script in scripts/test-deps/*.sh; do [ -e "$$script" ] && bash "$$script" || exit 1; done

# Every test: those that need no browser, database server or model server on UNIT_WORKERS
# processes (pytest-xdist; the eval gates take minutes each, so an idle process takes the tests
# queued on a busy one: "worksteal"), then, in one process, those that start a browser,
# PostgreSQL or a model server, or race processes for a lock ("alone"). Exit 5 (PYTEST_ARGS
# selected none of one kind) is not a failure.
SERIAL_MARKERS := browser or postgres or llm or alone
UNIT_WORKERS ?= 2
unit: install test-deps
	$(BIN)/pytest -n $(UNIT_WORKERS) --dist worksteal -m "not ($(SERIAL_MARKERS))" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest -m "$(SERIAL_MARKERS)" $(PYTEST_ARGS) || [ $$? -eq 5 ]

test: lint typecheck unit

# The inner loop: lint, types and every test that needs no browser, database server or model
# server (the real embedder, Chroma, BM25, SQLite and the API on loopback still run). Under
# 4 minutes on a 2-core machine; `make test` runs everything. It installs only a missing venv,
# never refreshes an existing one, so it can run against a shared one: `make check VENV=...`.
# The tests run on CHECK_WORKERS processes (pytest-xdist; each builds its own sample index).
CHECK_MARKERS := not browser and not postgres and not llm and not slow and not eval
CHECK_WORKERS ?= 2
check:
	@[ -e $(VENV)/.installed ] || $(MAKE) install
	$(BIN)/ruff check assistant server tests evals benchmarks
	$(BIN)/ruff format --check assistant server tests evals benchmarks
	PYTHONPATH=$(CURDIR) $(BIN)/mypy
	PYTHONPATH=$(CURDIR) $(BIN)/pytest -q -p no:cacheprovider -n $(CHECK_WORKERS) \
		-m "$(CHECK_MARKERS)" $(PYTEST_ARGS)
