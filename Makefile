# Tolk: `make run` serves the demo, `make test` runs the whole suite, `make lint` checks the code,
# `make lock` regenerates the locked dependency versions from pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
HOST ?= 127.0.0.1
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
# Bash for the filter of pip's stderr below; a pipe fails when any of its commands fails.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

# Exact versions with their hashes: the runtime set, and the same pins plus the dev extras. Both
# also pin pip and the build backend, so that the project installs without build isolation and so
# without unlocked downloads.
LOCK_RUN := requirements/run.txt
LOCK_DEV := requirements/dev.txt
LOCK_UV := requirements/uv.txt
# The lock tool itself; bump it here, then `make lock` twice (the second run uses the new uv).
UV_VERSION := 0.13.8
# Extra uv arguments for `make lock`, e.g. LOCK_ARGS=--upgrade or LOCK_ARGS='--upgrade-package django'.
LOCK_ARGS ?=
# One lock for every platform, resolved for the oldest Python Tolk supports, from PyPI only (uv
# does not read pip's configuration, so a machine's local indexes never end up in a lock).
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command 'make lock' $(LOCK_ARGS)
# The build backend and pip, locked along with the dependencies.
BUILD_REQUIRES = $(PY) -c 'import tomllib; \
	print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], "pip", sep="\n")'
# pip also reads this machine's configuration, whose local indexes warn for every package they do
# not hold; the hashes decide which file is installed, so those warnings are only noise.
NO_INDEX_NOISE := 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
# Hash-checked install of one lock, then Tolk itself (editable, no dependencies of its own), then a
# check that the lock satisfies pyproject.toml (a dependency added there but not locked fails here).
define install_lock
	@echo "installing $(1) (hash-checked) into $(VENV) ..."
	@set -e; start=$$(date +%s); \
	$(PIP) install --require-hashes -r $(1) $(NO_INDEX_NOISE); \
	$(PIP) install --no-deps --no-build-isolation -e . $(NO_INDEX_NOISE); \
	problems=$$($(PY) -m pip check) \
		|| { echo "$$problems"; echo "$(1) does not satisfy pyproject.toml: run make lock"; exit 1; }; \
	echo "installed $(1): $$(grep -c '^[a-z0-9]' $(1)) locked packages and tolk in $$(( $$(date +%s) - start )) s"
endef

.PHONY: run test lint lock bench clean-venv messages

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Tolk needs Python 3.11 or newer"' \
		|| { echo "Tolk needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: $(LOCK_RUN) pyproject.toml | $(VENV)/bin/python
	$(call install_lock,$(LOCK_RUN))
	@touch $@

$(VENV)/.installed-dev: $(LOCK_DEV) $(LOCK_RUN) pyproject.toml | $(VENV)/bin/python
	$(call install_lock,$(LOCK_DEV))
	@touch $@ $(VENV)/.installed-run

$(VENV)/bin/uv: $(LOCK_UV) | $(VENV)/bin/python
	$(PIP) install --require-hashes -r $(LOCK_UV) $(NO_INDEX_NOISE)
	@touch $@

run: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo --if-empty
	@echo "Tolk: http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/)"
	$(VENV)/bin/uvicorn tolk.asgi:application --host $(HOST) --port $(PORT) --lifespan on

test: $(VENV)/.installed-dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# ruff, mypy and the import contracts; all three run, the last line says which failed.
lint: $(VENV)/.installed-dev
	@start=$$(date +%s); failed=""; \
	echo "== ruff check ." >&2; $(VENV)/bin/ruff check . || failed="$$failed ruff"; \
	echo "== mypy ." >&2; $(VENV)/bin/mypy . || failed="$$failed mypy"; \
	echo "== lint-imports" >&2; $(VENV)/bin/lint-imports || failed="$$failed import-contracts"; \
	took=$$(( $$(date +%s) - start )); \
	if [ -n "$$failed" ]; then echo "lint: failed:$$failed (see above) in $$took s"; exit 1; fi; \
	echo "lint: ruff, mypy and import contracts clean in $$took s"

# Resolves from PyPI: the runtime set first, then the dev set constrained to the same runtime pins.
# Existing pins are kept unless pyproject.toml needs otherwise or LOCK_ARGS asks for upgrades.
lock: $(VENV)/bin/uv
	@mkdir -p requirements
	$(BUILD_REQUIRES) | $(UV_COMPILE) pyproject.toml - -o $(LOCK_RUN)
	$(BUILD_REQUIRES) | $(UV_COMPILE) pyproject.toml - --extra dev -c $(LOCK_RUN) -o $(LOCK_DEV)
	echo 'uv==$(UV_VERSION)' | $(UV_COMPILE) - -o $(LOCK_UV)
	@echo "lock: $(LOCK_RUN) $$(grep -c '^[a-z0-9]' $(LOCK_RUN)), $(LOCK_DEV) $$(grep -c '^[a-z0-9]' $(LOCK_DEV)) pinned packages"

bench: $(VENV)/.installed-dev
	$(VENV)/bin/pytest tests/benchmarks -s -p no:randomly $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
