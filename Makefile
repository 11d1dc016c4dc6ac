# Komunigi's one task runner. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Keep in step with test_catalogues_hold_every_string_of_the_code (web/tests/test_translations.py).
MAKEMESSAGES_OPTIONS := --no-obsolete --add-location=file --ignore=tests/* --ignore=*/tests/*

# The suite runs on every core (pytest-xdist); PYTEST_ARGS replaces this, e.g. for a subset.
PYTEST_ARGS ?= --numprocesses=auto

.PHONY: demo test lint format messages browser-deps benchmark lock clean

demo: $(STAMP)
	$(BIN)/komunigi demo $(if $(ADDR),--addr $(ADDR))

test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/komunigi makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Komunigi needs Python 3.11 or newer: make PYTHON=python3.11 …")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Re-resolve the dependencies from pyproject.toml and pin the result in constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e '.[dev]'
	(sed -n '1,2p' constraints.txt; .venv-lock/bin/pip freeze --exclude-editable) > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-lock

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browser-deps:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || ./scripts/install-chromium

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the translation catalogues after changing user-facing strings, then translate them.
messages: $(STAMP)
	cd src/komunigi && KOMUNIGI_DATA_DIR=$(CURDIR)/var ../../$(BIN)/komunigi makemessages $(MAKEMESSAGES_OPTIONS) -l fr -l nl -l de -l es
	$(BIN)/komunigi compile_translations

clean:
	rm -rf $(VENV) .ruff_cache

# Page and engine times against the framework's floors at 100× a real community (set
# DATABASE_URL for PostgreSQL; CHECK=1 fails when over budget; HTTP=1 adds writes over HTTP).
benchmark: $(STAMP)
	$(BIN)/komunigi benchmark $(if $(SCALE),--scale $(SCALE)) $(if $(CHECK),--check) $(if $(HTTP),--http)
