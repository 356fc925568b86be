# Two commands for a fresh machine with Python 3.11+:  make run   and   make test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test lint format check-migrations messages check-messages clean bundle-outside-data benchmark

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# The browser files (plotly.js partial bundles, axe-core) from the npm registry, pinned by digest; a no-op
# when they are in place (catalog/vendor_assets.py).
install: $(VENV)/.installed
	$(BIN)/python -m catalog.vendor_assets

# Development server on SQLite (or DATABASE_URL): migrate, load the bundled data (idempotent), serve.
run: export DJANGO_DEBUG ?= true
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_bundled_data
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production: DEBUG off, PostgreSQL from DATABASE_URL, Redis from REDIS_URL (database cache when unset),
# DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS required; gunicorn (gunicorn.conf.py) with whitenoise
# serving compressed, hashed static files. Load the bundled data once: manage.py load_bundled_data.
serve: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/gunicorn landscape.wsgi --config gunicorn.conf.py

# The whole suite; DATABASE_URL=postgres://... runs it against PostgreSQL.
test: install
	$(BIN)/pytest --create-db

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

# The Korean catalog (GNU gettext: apt-get install gettext). Collect the marked strings into
# locale/ko/LC_MESSAGES/django.po, translate what is new there, then compile django.mo; commit both.
MESSAGES_IGNORE := --ignore=.venv --ignore=loadtest --ignore=perf --ignore=tests --ignore=staticfiles
messages: export DJANGO_DEBUG ?= true
messages: install
	$(BIN)/python manage.py makemessages --locale ko --add-location file --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages --locale ko $(MESSAGES_IGNORE)

# CI: the committed catalog holds every marked string and its .mo is compiled from it.
check-messages: messages
	git diff --exit-code -I '^"POT-Creation-Date' -- locale

# Regenerate fixtures/outside/ from the outside tables (defaults: the reference copies beside the project).
# A scratch SQLite database holds the curated fixtures only while the importers run; it is deleted after.
REFERENCE ?= ../shared/reference
EPOCH_HARDWARE ?= $(REFERENCE)/epoch_ml_hardware_2025-12.csv
EPOCH_MODELS ?= $(REFERENCE)/epoch_notable_ai_models_2025-02-24.csv
LITELLM ?= $(REFERENCE)/litellm_model_prices_2026-07-24.json
EPOCH_BENCHMARKS ?= $(REFERENCE)/epoch_benchmark_runs_2025-05.csv
bundle-outside-data: export DJANGO_DEBUG = true
bundle-outside-data: export DATABASE_URL = sqlite:///$(CURDIR)/.bundle-outside.sqlite3
bundle-outside-data: install
	rm -f .bundle-outside.sqlite3
	$(BIN)/python manage.py migrate --no-input --verbosity 0
	$(BIN)/python manage.py load_bundled_data --curated-only --verbosity 0
	$(BIN)/python manage.py bundle_outside_data --epoch-hardware $(EPOCH_HARDWARE) --epoch-models $(EPOCH_MODELS) \
		--litellm $(LITELLM) --epoch-benchmarks $(EPOCH_BENCHMARKS)
	rm -f .bundle-outside.sqlite3

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles artifacts vendor

# The micro-model benchmark on this machine (README "Benchmark"), stored in the database the site reads
# (DATABASE_URL, or db.sqlite3 here) and shown at /benchmarks/. Works on a fresh checkout: installs, migrates,
# and sets DJANGO_DEBUG=true unless it is set (a measuring command needs no secret key).
# Options pass through BENCHMARK_ARGS, e.g. make benchmark BENCHMARK_ARGS="--quick" (about 20 s on 2 cores).
benchmark: export DJANGO_DEBUG ?= true
benchmark: install
	$(BIN)/python manage.py migrate --no-input --verbosity 0
	$(BIN)/python manage.py run_benchmark $(BENCHMARK_ARGS)
