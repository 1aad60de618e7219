# make run    demo workspace on http://127.0.0.1:8000 (SQLite, eager tasks, in-process live bus)
# make test   the test suite on SQLite; services it cannot find are skipped, with the reason
# make lint   ruff, the missing-migrations check, the exported Markdown's lint and bandit
# make lock   rewrite requirements.lock from .venv after changing pyproject.toml's dependencies
# make ci     what CI runs: lint, the suite on SQLite, then again on PostgreSQL + Redis + a worker
#
# Everything runs from .venv, created with Python 3.12 on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
# Touched after each install: pip runs again only when pyproject.toml is newer.
INSTALLED := $(VENV)/.installed

HOST := 127.0.0.1
PORT := 8000

.PHONY: help install run test lint lock ci screenshot

help:
	@sed -n 's/^# make /make /p' $(firstword $(MAKEFILE_LIST))

# python3.12 on PATH (a pyenv shim counts only if it resolves here), else pyenv's
# 3.12, else stop. Each candidate must really run as 3.12.
define find_python
for candidate in python3.12 \
	"$$(pyenv which python3.12 2>/dev/null)" \
	$$(ls -d "$$(pyenv root 2>/dev/null || echo "$${PYENV_ROOT:-$$HOME/.pyenv}")"/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV); do \
	if [ -n "$$candidate" ] && "$$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then \
		echo "$$candidate"; exit 0; \
	fi; \
done; exit 1
endef

$(PYTHON):
	@python="$$( $(find_python) )" || { \
		echo "make: Python 3.12 is required but was not found (tried python3.12 on PATH and pyenv's versions/3.12*)." >&2; \
		echo "      Install it (e.g. 'pyenv install 3.12') and run make again." >&2; \
		exit 1; }; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

$(INSTALLED): pyproject.toml requirements.lock | $(PYTHON)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' || { \
		echo "make: $(VENV) is not a Python 3.12 environment; remove it and run make again." >&2; exit 1; }
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]' -c requirements.lock
	@touch $@

install: $(INSTALLED)

run: export DEBUG = 1
run: install
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py load_demo
	@DJANGO_SETTINGS_MODULE=postmortems.settings $(PYTHON) -c 'import django; django.setup(); \
		from django.conf import settings as s; \
		print(f"\nDemo workspace: http://$(HOST):$(PORT)/  sign in as {s.DEMO_USERNAME} / {s.DEMO_PASSWORD}\n")'
	@# One process: without REDIS_URL the live bus lives inside it.
	exec $(BIN)/uvicorn postmortems.asgi:application --host $(HOST) --port $(PORT) --lifespan off --timeout-graceful-shutdown 3

# Extra pytest arguments: make test PYTEST_ARGS='-k timeline -x'
test: install
	$(PYTHON) -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(PYTHON) manage.py makemigrations --check --dry-run
	@# The exported Markdown (tests/export/golden, kept equal to the export by its test).
	$(BIN)/pymarkdown -c .pymarkdown.json scan tests/export/golden
	@# No high-severity finding in our code (mark_safe is medium: see docs/security.md).
	$(BIN)/bandit -q -r postmortems incidents actions -x '*/migrations/*' --severity-level high

# requirements.lock: the versions make install pins, from the current .venv.
lock: install
	@printf '%s\n' '# Constraints for make install: the versions CI and a fresh machine get.' \
		'# Regenerate with `make lock` after changing pyproject.toml dependencies.' > requirements.lock
	$(PYTHON) -m pip freeze --exclude-editable --exclude postmortems | sed '/^-e /d' >> requirements.lock

ci:
	bash .ci/run

# The README's screenshot (docs/screenshot.png) of the demo's incident list.
screenshot: install
	$(PYTHON) scripts/screenshot.py
