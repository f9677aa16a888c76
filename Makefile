# The two commands: `make run` (demo on SQLite) and `make test` (everything CI runs).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The tests' "today" (tests/conftest.py): the SQLite pass runs on the suite's default day and
# the PostgreSQL pass on a day that stresses the calendar (a working day just after the
# Spring Festival, early in a month and a quarter). MANYI_TEST_TODAY=... moves both.
PG_TEST_TODAY ?= 2027-02-18
# Two workers (pytest-xdist): each has its own scratch database and browser.
PYTEST := $(BIN)/python -m pytest -q -n 2
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint test-sqlite test-postgres system-packages messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(STAMP_RUN)

## Debian packages the posters, PDF notices and browser tests need (installed only when missing, as root).
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0" || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "missing Debian packages:$$missing (run as root or install them)"; \
	  fi; \
	fi

run: $(STAMP_RUN)
	@fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || $(MAKE) --no-print-directory system-packages
	$(BIN)/manyi demo --port $(PORT)

lint: $(STAMP_DEV)
	$(BIN)/ruff check api survey analytics tests bench migrations
	$(BIN)/mypy
	$(BIN)/lint-imports

test-sqlite: $(STAMP_DEV)
	MANYI_TEST_DATABASE=sqlite $(PYTEST)

test-postgres: $(STAMP_DEV)
	MANYI_TEST_DATABASE=$(PG_URL) MANYI_TEST_TODAY=$${MANYI_TEST_TODAY:-$(PG_TEST_TODAY)} $(PYTEST)

test: $(STAMP_DEV) system-packages lint test-sqlite test-postgres

## Re-extract interface messages and merge them into the catalogues (then translate the new ones).
messages: $(STAMP_DEV)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d api/locales -D messages --no-fuzzy-matching

bench: $(STAMP_DEV)
	$(BIN)/python bench/submit.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
