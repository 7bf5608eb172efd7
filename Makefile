# RepoTrackr. `make run` serves the app; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n 2

.PHONY: run test bench screenshots lint venv clean

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

screenshots: $(STAMP)
	$(BIN)/python -m repotrackr.testrun -p no:xdist tests/e2e/make_screenshots.py -m browser -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles
