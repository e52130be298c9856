# Postventa: `make run` (demo on SQLite), `make test` (whole suite), `make bench`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app surveys
DEV_ENV := SURVEYS_ENV=development
# `make run` serves on PORT (default 5000); links in mail follow it unless SURVEYS_BASE_URL is set.
PORT ?= 5000
# Both cores by default (each xdist worker migrates its own throw-away database).
PYTEST_ARGS ?= -n 2

.PHONY: run test bench cluster-smoke lint translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) SURVEYS_BASE_URL="$${SURVEYS_BASE_URL:-http://127.0.0.1:$(PORT)}" $(FLASK) demo
	$(DEV_ENV) PORT=$(PORT) SURVEYS_BASE_URL="$${SURVEYS_BASE_URL:-http://127.0.0.1:$(PORT)}" bash scripts/run_dev.sh

test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check surveys tests scripts

# The .po files are the source of every translation: extract the message ids from the code
# and templates, merge them into es/en (a new id arrives empty, a changed one fuzzy: translate
# it in surveys/translations/es/LC_MESSAGES/messages.po and run this again), compile the .mo
# files (committed, so a fresh clone runs). tests/test_i18n.py fails on a missing or fuzzy entry.
POT := surveys/translations/messages.pot
translations: $(VENV)/.dev
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 --no-location --omit-header --sort-output -o $(POT) .
	$(BIN)/pybabel -q update -i $(POT) -d surveys/translations --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
	$(BIN)/pybabel -q compile -d surveys/translations --statistics

bench: $(VENV)/.dev
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench.run

# Two gunicorn instances + two workers on the local PostgreSQL and Redis (see scripts/cluster_smoke.py).
cluster-smoke: $(VENV)/.dev
	$(BIN)/python scripts/cluster_smoke.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
