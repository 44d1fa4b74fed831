# The front door: `make run` for a working site, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
ADMIN_PASSWORD ?= admin
DEV_ENV := DJANGO_DEBUG=1

.PHONY: help install run serve serve-cdn bench chaos loadtest migrate seed test test-fast test-e2e lint format clean

help:
	@echo "make run       set everything up (venv, dependencies, migrations, demo content) and serve http://$(HOST):$(PORT)"
	@echo "make serve     the production shape: DEBUG off, collectstatic, gunicorn and the task worker"
	@echo "make serve-cdn the production shape behind Varnish (cdn/default.vcl) on http://127.0.0.1:8080 (CDN_PORT=)"
	@echo "make bench     seed a large data set, serve the production shape, measure it with wrk (docs/benchmarks.md)"
	@echo "make chaos     serve the production shape on throwaway servers and stop the mail server, Redis and PostgreSQL under it"
	@echo "make loadtest  16 clients post comments and requests for 60 s: every accepted one stored once, no 5xx"
	@echo "make test      run the whole test suite (SQLite unless DATABASE_URL says otherwise)"
	@echo "make test-fast the suite without the browser tests"
	@echo "make test-e2e  only the browser tests (Playwright + Debian's Chromium)"
	@echo "make lint      ruff check, ruff format --check, and the missing-migrations check"
	@echo "make format    ruff format and ruff check --fix"
	@echo "make clean     remove the virtualenv, the SQLite database, media and collected static files"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "careers_site needs Python 3.11 or newer: run make with PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(BIN)/python manage.py seed_demo --admin-password '$(ADMIN_PASSWORD)'

run: seed
	@echo "Serving http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, user admin)"
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: install
	bin/serve

serve-cdn: install
	@command -v varnishd >/dev/null || test -x /usr/sbin/varnishd || { echo "varnishd is needed: apt-get install varnish"; exit 1; }
	bin/serve-cdn

bench: install
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

chaos: install
	@command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install redis-server"; exit 1; }
	$(BIN)/python -m chaos.run $(CHAOS_ARGS)

loadtest: install
	$(BIN)/python -m bench.no_loss $(LOADTEST_ARGS)

test: install
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not e2e"

test-e2e: install
	$(BIN)/pytest -m e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
