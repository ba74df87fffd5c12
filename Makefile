# Steward: two commands on a fresh machine (Python 3.11+ and make):
#   make demo   set up .venv from the pins and run the nightly jobs on the demo company
#   make test   set up .venv and run lint, type checks and the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export STEWARD_HOME ?= $(CURDIR)/.steward

.PHONY: help venv demo test lint typecheck airflow bench check-focus clean

help:
	@echo "make demo      generate the demo company and run the nightly DAGs through Airflow"
	@echo "make test      lint and run the test suite (slow/bench tests excluded)"
	@echo "make airflow   open the Airflow UI over the demo's runs (http://localhost:8080)"
	@echo "make bench     run benchmarks and slow scale tests, write docs/benchmarks.md"
	@echo "make check-focus  run the FinOps focus-validator on the demo's FOCUS export (after make demo)"
	@echo "make clean     remove .venv and local state under .steward/"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found %s)" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -r requirements.txt -r requirements-dev.txt
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	touch $@

demo: venv
	$(BIN)/steward demo

test: venv lint typecheck
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy plugins/steward

airflow: venv
	$(BIN)/python -m steward.airflow.pools
	$(BIN)/steward airflow-ui

bench: venv
	$(BIN)/python benchmarks/run.py
	$(BIN)/python -m pytest -m "slow" -o addopts="--timeout=3600" tests

check-focus: venv
	$(BIN)/steward costs check-focus

clean:
	rm -rf $(VENV) .steward
