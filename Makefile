# Two commands for a fresh clone: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := DJANGO_DEBUG=1 $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup check messages clean screenshots bench bench-kb

# Who runs the site, for development (see README "Configuration"); production sets its own.
DEV_OPERATOR := PORTAL_OPERATOR_NAME="Studio Esempio (sviluppo)" PORTAL_SUPPORT_URL=assistenza@example.com \
	PORTAL_SUPPORT_HOURS="lun-ven 9-18"

run: setup
	$(DEV_OPERATOR) $(MANAGE) runserver $(HOST):$(PORT)

test: setup
	DJANGO_DEBUG=1 $(BIN)/python -m pytest

# Install, compile translations, migrate, import kb/ (never over an admin edit), then check the flows, the words
# files and that the database holds words for every step (the guide's only run-time source of words).
setup: $(VENV)/.installed
	$(MANAGE) compilemessages --ignore $(VENV) --ignore node_modules -v0
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) import_kb -v0
	$(MANAGE) check --database default --fail-level WARNING

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

# The whole benchmark (README "Benchmark"): pages as a share of /healthz under gunicorn on SQLite and PostgreSQL, 200
# walkers at once, flow checks at 1k/10k/100k steps (bench/pages.py), then the knowledge base at scale
# (bench/kb_scale.py) and the staff pages at a million walks (bench/staff.py; skipped without PostgreSQL). Each writes
# its own section of docs/benchmarks.md. BENCH_QUICK=1: a short run of each (minutes, not an hour). Needs wrk.
BENCH_STAFF_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
QUICK := $(filter 1,$(BENCH_QUICK))
bench: setup
	$(BIN)/python bench/pages.py --write docs/benchmarks.md $(if $(QUICK),--quick)
	$(BIN)/python bench/kb_scale.py --write docs/benchmarks.md $(if $(QUICK),--sizes 11)
	DATABASE_URL=$(BENCH_STAFF_DATABASE_URL) $(BIN)/python bench/staff.py --sessions $(if $(QUICK),10000,1000000) \
		|| test $$? -eq 2

# Search, home and topic timings for 11, 2,000 and 20,000 articles per language, SQLite and PostgreSQL (README).
bench-kb: $(VENV)/.installed
	$(BIN)/python bench/kb_scale.py --write docs/benchmarks.md

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
