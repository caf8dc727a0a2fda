# `make demo` and `make test` each install everything they need on a fresh Debian/Ubuntu machine:
# system packages (when root or sudo is available), a .venv, and the package.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: demo test system-deps venv install check-env bench clean

system-deps:
	@bash scripts/install-system-deps.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,mcp]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: system-deps $(STAMP)

demo: install
	$(BIN)/manim-agent demo

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check-env: install
	$(BIN)/manim-agent doctor

bench: install
	$(BIN)/python benchmarks/check_speed.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
