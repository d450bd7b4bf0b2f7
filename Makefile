# Two commands for a newcomer: `make run` and `make test` (see README.md).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# The suite in tests/ but for the browser tests, which need Chromium (make test-browser).
PYTEST_ARGS ?=

.PHONY: help run test test-browser benchmark benchmark-export benchmark-import benchmark-reload extraction-report screenshots lint check venv clean

help:
	@echo "make run           set up, load the seed statement and serve http://127.0.0.1:8000"
	@echo "make test          set up, lint, check and run the test suite (DATABASE_URL picks the database)"
	@echo "make test-browser  run the browser tests in Chromium (needs /usr/bin/chromium)"
	@echo "make benchmark     time every page at 1,000 and 100,000 pledges on SQLite and PostgreSQL, beside the admin"
	@echo "make benchmark-export  measure the exports' memory for 100 and 100,000 pledges"
	@echo "make benchmark-import  time reading and importing statements of 1,000 and 10,000 words"
	@echo "make benchmark-reload  fixture reloads and admin edits during 16 writers: anything rewound?"
	@echo "make extraction-report  precision and recall of the proposed pledges on the labelled statements"
	@echo "make screenshots   retake the README's screenshots: dashboard, list, pledge, briefing (needs Chromium)"

# A Python >= 3.12: the newest on PATH, else the newest under pyenv's versions folder.
$(VENV)/bin/python:
	@python=""; \
	candidates="python3.14 python3.13 python3.12 python3"; \
	candidates="$$candidates $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/*/bin/python3 2>/dev/null | sort -rV || true)"; \
	for candidate in $$candidates; do \
	  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    python="$$candidate"; break; \
	  fi; \
	done; \
	if [ -z "$$python" ]; then \
	  echo "No Python 3.12 or newer found (looked for python3.14, python3.13, python3.12 and python3 on PATH," >&2; \
	  echo "and under $${PYENV_ROOT:-$$HOME/.pyenv}/versions). Install Python 3.12 or newer and run make again." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python ($$("$$python" --version))"; \
	"$$python" -m venv $(VENV); \
	$(PY) -m pip install --quiet --upgrade pip

# Installs again only when a requirements file changed.
$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
	  { echo "$(VENV) was made with $$($(PY) --version); 3.12 or newer is needed: run make clean, then again." >&2; exit 1; }
	@echo "Installing requirements.txt"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(VENV)/bin/python
	@echo "Installing requirements-test.txt"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_seed
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(VENV)/.installed-test
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# pytest exits with 5 when it collects no test; say so, and fail.
define pytest
	@status=0; $(VENV)/bin/pytest -c tests/pytest.ini $(1) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "No tests were collected in $(1): that is a failure." >&2; fi; \
	exit $$status
endef

test: lint check
	@echo "Running the tests on $${DATABASE_URL:-SQLite (the default)}"
	$(call pytest,tests --ignore=tests/browser)

test-browser: $(VENV)/.installed-test
	$(call pytest,tests/browser)

# ARGS="--sizes 1000 10000 --databases sqlite" measures less.
benchmark: $(VENV)/.installed-run
	$(PY) -m tests.benchmarks.pages $(ARGS)

benchmark-export: $(VENV)/.installed-run
	$(PY) -m tests.benchmarks.export_memory 100 100000

benchmark-import: $(VENV)/.installed-run
	$(PY) -m tests.benchmarks.import_speed 1000 10000

benchmark-reload: $(VENV)/.installed-test
	$(PY) -m tests.benchmarks.reload_under_load

# ARGS=-v lists every miss and every wrong proposal.
extraction-report: $(VENV)/.installed-run
	$(PY) -m tests.extraction_report $(ARGS)

screenshots: $(VENV)/.installed-test
	$(PY) -m tests.browser.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
