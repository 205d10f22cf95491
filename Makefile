# Cascade — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ORG ?= demo

.PHONY: run test lint fmt check bench screenshots install worker beat clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# A seeded demo on SQLite with eager tasks: nothing else needed.
run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --org $(DEMO_ORG) --if-missing
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite. PostgreSQL and Redis when DATABASE_URL/REDIS_URL point at them.
test: install
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

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

bench: install
	$(PY) bench/run.py
	$(PY) bench/reminders.py --members 5000

# Regenerates docs/screenshots/*.png from the browser journeys.
screenshots: install
	SCREENSHOTS=1 $(PY) -m pytest tests/browser -q

worker: install
	$(VENV)/bin/celery -A okr worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A okr beat --loglevel=INFO

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .hypothesis
