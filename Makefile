# The two commands: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
TEST_STAMP := $(VENV)/.installed-test-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test install install-test migrate lint bench messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(PIP) install --quiet -e ".[test]"
	touch $@

install: $(STAMP)

install-test: $(TEST_STAMP)

migrate: install
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

run: migrate
	$(PY) manage.py seed_demo
	$(PY) -m config.run_local

test: install-test
	$(PY) manage.py compile_translations
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	# Unit, view and browser tests on both cores; the tests that start their own Celery
	# workers run alone, since workers of two pytest processes would share Redis's queues.
	$(VENV)/bin/pytest -n 2 --ignore=tests/integration --ignore=tests/resilience $(PYTEST_ARGS)
	$(VENV)/bin/pytest tests/integration tests/resilience $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .

bench: install-test
	$(PY) -m bench.run

# Refresh the Spanish catalogues after changing user-facing strings (needs GNU gettext).
messages: install
	for app in strategy channels_app protocols monitoring; do \
	  (cd $$app && ../$(PY) ../manage.py makemessages -l es --no-obsolete); done
	$(PY) manage.py makemessages -l es --no-obsolete --ignore='strategy/*' \
	  --ignore='channels_app/*' --ignore='protocols/*' --ignore='monitoring/*' \
	  --ignore='.venv/*' --ignore='tests/*' --ignore='bench/*'
	$(PY) manage.py compile_translations

clean:
	rm -rf $(VENV) var staticfiles
