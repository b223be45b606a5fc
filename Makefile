# Two commands for a fresh clone: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := DJANGO_DEBUG=1 $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup check messages clean screenshots bench-kb

run: setup
	$(MANAGE) runserver $(HOST):$(PORT)

test: setup
	DJANGO_DEBUG=1 $(BIN)/python -m pytest

# Install, compile translations, migrate, import kb/ (never over an admin edit) and check the flows.
setup: $(VENV)/.installed
	$(MANAGE) compilemessages --ignore $(VENV) --ignore node_modules -v0
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) import_kb -v0
	$(MANAGE) check --fail-level WARNING

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# After changing a {% translate %} string: refresh the .po files, then translate the new entries.
messages: $(VENV)/.installed
	$(MANAGE) makemessages -l it -l en --ignore $(VENV) --ignore node_modules --ignore staticfiles --no-obsolete --no-location

# Refresh docs/screenshots/ (home, question, outcome, article at phone and desktop size; dark mode at phone size).
screenshots: setup
	DJANGO_DEBUG=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/browser/screenshots.py

# Search, home and topic timings for 11, 2,000 and 20,000 articles per language, SQLite and PostgreSQL (README).
bench-kb: $(VENV)/.installed
	$(BIN)/python bench/kb_scale.py --write docs/benchmarks.md

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
