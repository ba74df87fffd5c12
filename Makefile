# Steward: two commands on a fresh machine (Python 3.11+ and make):
#   make demo   set up .venv from the pins and run the nightly jobs on the demo company
#   make test   set up .venv and run lint, type checks and the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export STEWARD_HOME ?= $(CURDIR)/.steward
# pytest-xdist workers of `make test`; each test file stays on one worker (--dist loadfile), so a
# module's fixtures (an Airflow stack, a demo warehouse) start once; files go out in collection order
# (--no-loadscope-reorder: the few-test, long integration modules first, not last)
TEST_WORKERS ?= 2

.PHONY: help venv system-packages demo test lint typecheck airflow stack-check bench check-focus clean

help:
	@echo "make demo      generate the demo company and run the nightly DAGs through Airflow"
	@echo "make test      lint and run the test suite (slow/bench tests excluded)"
	@echo "make airflow   open the Airflow UI over the demo's runs (http://127.0.0.1:8080, this machine only;"
	@echo "               make airflow AIRFLOW_UI_ARGS=--expose listens on every interface, with a login)"
	@echo "make stack-check  check docker-compose.yaml (Compose schema, wiring) and the Dockerfile without Docker"
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

# Debian packages the test suite needs (redis-server for the Celery stack test, chromium for the browser test); installs only what is missing.
system-packages:
	bash scripts/ensure-system-packages.sh

demo: venv
	$(BIN)/steward demo

test: venv system-packages lint typecheck
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports pyproject.toml

typecheck: venv
	$(BIN)/mypy plugins/steward

airflow: venv
	$(BIN)/steward airflow-ui $(AIRFLOW_UI_ARGS)

# docker-compose.yaml and the Dockerfile without Docker: the Compose schema and the stack's wiring.
stack-check: venv
	$(BIN)/python -m pytest -q tests/deploy

bench: venv
	$(BIN)/python benchmarks/run.py
	$(BIN)/python -m pytest -m "slow" -o addopts="--timeout=3600" tests

check-focus: venv
	$(BIN)/steward costs check-focus

clean:
	rm -rf $(VENV) .steward
