# RepoTrackr. `make run` serves the app; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n 2

.PHONY: run test bench bench-quick bench-scale chaos chaos-quick screenshots lint venv clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m repotrackr.devserver

test: $(STAMP)
	$(BIN)/python -m repotrackr.testrun $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python tests/bench/run_all.py

# 10,000 projects on PostgreSQL (DATABASE_URL's server, else 127.0.0.1:5432); see the README.
bench-scale: $(STAMP)
	$(BIN)/python tests/bench/run_all.py bench_scale

# Every benchmark at small sizes, once: proves they run (the test suite does the same).
bench-quick: $(STAMP)
	$(BIN)/python tests/bench/run_all.py --quick

# The production layout under random faults, then its invariants (docs/reliability.md).
# DURATION is seconds of faults (600 = the documented full run); PROJECTS defaults to 500.
DURATION ?= 600
PROJECTS ?= 500
chaos: $(STAMP)
	$(BIN)/python tests/chaos/run.py --duration $(DURATION) --projects $(PROJECTS)

# The CI mode (about two minutes); the test suite runs it under CI=true.
chaos-quick: $(STAMP)
	$(BIN)/python tests/chaos/run.py --quick

screenshots: $(STAMP)
	$(BIN)/python -m repotrackr.testrun -p no:xdist tests/e2e/make_screenshots.py -m browser -q

# mypy loads the settings through django-stubs; a throwaway key lets them load.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint-only-secret-key-not-used-to-sign-anything-000000 $(BIN)/mypy

clean:
	rm -rf $(VENV) staticfiles
