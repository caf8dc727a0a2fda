# `make demo` and `make test` each install everything they need on a fresh Debian/Ubuntu machine:
# system packages (when root or sudo is available), a .venv, and the package, with exactly the
# versions in uv.lock. `make lock` is the only thing that changes those versions.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# uv itself is pinned and kept in its own small venv, so `uv sync` (which removes whatever the lock
# does not list) never uninstalls it, and a newer uv release cannot change how we install.
UV_VERSION := 0.13.9
UV_HOME := .uv
UV := $(UV_HOME)/bin/uv
# Never download a Python interpreter: use the machine's.
UV_ENV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never UV_PYTHON=$(shell command -v $(PYTHON))
STAMP := $(VENV)/.installed-$(shell cat uv.lock pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: demo test system-deps install check-env lint bench lock upgrade clean

system-deps:
	@bash scripts/install-system-deps.sh

$(UV):
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --locked: install exactly uv.lock, and stop with an error if pyproject.toml changed without `make lock`.
$(STAMP): uv.lock pyproject.toml | $(UV)
	$(UV_ENV) $(UV) sync --locked --all-extras --quiet
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: system-deps $(STAMP)

demo: install
	$(BIN)/manim-agent demo

# The web UI's browser test drives Debian's chromium; only the test target installs it.
test: export MANIM_AGENT_EXTRA_APT := $(strip $(MANIM_AGENT_EXTRA_APT) chromium)
test: install
	$(BIN)/ruff check .
	$(BIN)/python scripts/typecheck.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff and mypy alone (`make test` runs both before the tests).
lint: install
	$(BIN)/ruff check .
	$(BIN)/python scripts/typecheck.py

check-env: install
	$(BIN)/manim-agent doctor

bench: install
	$(BIN)/python benchmarks/check_speed.py

# `make lock`: after editing the dependencies in pyproject.toml, resolve the change into uv.lock,
# keeping every other pinned version. `make upgrade`: move everything to the newest releases that
# pyproject.toml's ranges allow. Do either on purpose, then run `make test` before committing uv.lock.
lock: | $(UV)
	$(UV_ENV) $(UV) lock
	@git --no-pager diff --stat uv.lock 2>/dev/null || true

upgrade: | $(UV)
	$(UV_ENV) $(UV) lock --upgrade
	@git --no-pager diff --stat uv.lock 2>/dev/null || true

clean:
	rm -rf $(VENV) $(UV_HOME) build *.egg-info .pytest_cache
