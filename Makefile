# Ruamkhit: `make run` serves the site on SQLite with the reference data and the
# Thai demo; `make test` runs the whole suite (on SQLite, and again on
# PostgreSQL when TEST_DATABASE_URL is set).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup setup-dev translations db demo check-translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed translations
# axe-core, for the accessibility test of the browser suite (test-only: never served).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --ignore-scripts --silent && touch $@; \
	else echo "npm not found: the axe-core accessibility test will fail until Node.js and npm are installed"; fi

setup-dev: $(VENV)/.installed-dev translations node_modules/.installed

translations: | $(BIN)/python
	$(FLASK) translations compile

db: setup
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) areas load

demo: db
	$(FLASK) demo load

# The background-job worker runs beside the dev server on the SQLite queue file
# (instance/jobs-queue.sqlite3): queued jobs survive a restart. Ctrl-C stops both
# (the worker finishes the jobs in hand; a job cut short runs again next time).
# One worker thread: SQLite takes one writer at a time.
run: demo
	@echo "Ruamkhit is running at http://$(HOST):$(PORT)/ (background jobs: flask jobs worker)"
	@export PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}; \
	$(FLASK) jobs worker --workers 1 & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup-dev
	TEST_DATABASE_URL= $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

check-translations: setup
	$(FLASK) translations check

clean:
	rm -rf $(VENV) instance/ruamkhit.db
