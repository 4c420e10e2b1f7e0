# The two commands of README.md: `make run` and `make test`. Both install into .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PORT ?= 8000
# The emails' links point at the port `make run` serves, unless SITE_URL is set.
export SITE_URL ?= http://127.0.0.1:$(PORT)
# A laptop runs in DEBUG; production sets its own environment (README.md).
export DEBUG ?= true
# honcho starts the Procfile commands from the venv.
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: install messages run test lint lock bench loadtest clean

install: $(INSTALLED) var/laptop.env

# The laptop's defaults for `manage.py` run by hand (settings read it last; never in production).
var/laptop.env:
	mkdir -p var
	printf '# Laptop defaults written by make install; the environment and .env win.\nDEBUG=true\n' > $@

# Every package at the version of the lock file (`make lock` writes it from pyproject.toml).
$(INSTALLED): pyproject.toml requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

messages: install
	$(PY) tools/compile_messages.py

run: messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo_data
	@echo
	@echo "  Duos de demain: http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo
	PORT=$(PORT) $(VENV)/bin/honcho start

test: messages
	$(VENV)/bin/pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The lock files: production's (what the image installs) and the laptop's and CI's (with the
# laptop and dev extras). Run after changing a pin in pyproject.toml; commit both.
lock: $(INSTALLED)
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --no-header --quiet \
		--output-file requirements/production.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra laptop --extra dev --python-version 3.11 \
		--no-header --quiet --output-file requirements/dev.txt

bench: messages
	$(PY) -m matching.engine.bench
	$(PY) manage.py bench_match_run --sizes 200,2000
	$(PY) manage.py bench_reminders --sizes 2000,10000
	$(PY) manage.py bench_pages
	$(PY) tools/loadtest/run.py

# gunicorn as in production on PostgreSQL and Redis (127.0.0.1), under locust: 50 users for 60 s,
# then 200 for 30 s (README.md, "Load test"). Its own database, made and dropped; CI skips it.
loadtest: messages
	$(PY) tools/loadtest/run.py

clean:
	rm -rf $(VENV) var staticfiles
