# Cascade — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ORG ?= demo

.PHONY: run test lint fmt check bench screenshots install axe worker beat clean

# Quiet: errors only (no progress, no version nag, no build-backend advice on the editable install).
PIP := PYTHONWARNINGS=ignore $(PY) -m pip --quiet --quiet --disable-pip-version-check
# axe-core for the browser tests' accessibility checks, from the npm registry (git-ignored).
AXE := .npm-tools/node_modules/axe-core/axe.min.js
AXE_VERSION := 4.14.1

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip
	@$(PIP) install -e ".[dev]"
	@touch $@

$(AXE):
	npm install --prefix .npm-tools --no-audit --no-fund --no-save --loglevel=error axe-core@$(AXE_VERSION)

# Python only, so that `make run` needs nothing else; the tests also need axe-core.
install: $(VENV)/.installed

axe: $(AXE)

# A seeded demo on SQLite with eager tasks: nothing else needed.
run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	@$(PY) manage.py migrate --noinput --verbosity 0
	@$(PY) manage.py seed_demo --org $(DEMO_ORG) --if-missing
	@$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite. PostgreSQL and Redis when DATABASE_URL/REDIS_URL point at them.
test: install $(AXE)
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m coverage run -m pytest
	@$(PY) -m coverage report

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The production settings pass Django's deployment checklist.
check: install
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		$(PY) manage.py check --deploy --fail-level WARNING

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $@

# In-process figures, then the load stage (gunicorn, a worker and Locust; it needs
# DATABASE_URL=postgres://… and REDIS_URL). BASELINE=<git revision> measures that
# revision first, in the same run: `make bench BASELINE=main`.
bench: install $(VENV)/.bench-installed
	$(PY) bench/run.py
	$(PY) bench/reminders.py --members 5000
	$(PY) bench/rls.py
	$(PY) bench/load.py $(if $(BASELINE),--baseline $(BASELINE))

# Regenerates docs/screenshots/*.png from the browser journeys.
screenshots: install $(AXE)
	SCREENSHOTS=1 $(PY) -m pytest tests/browser -q

worker: install
	$(VENV)/bin/celery -A okr worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A okr beat --loglevel=INFO

clean:
	rm -rf $(VENV) .npm-tools db.sqlite3 staticfiles .pytest_cache .hypothesis
