# Shortcuts; README's two commands work without make.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test test-pg test-browser lint fmt openapi bench-search ci

install:
	python3 -m venv $(VENV) && $(BIN)/pip install -q -e '.[dev]'

demo: install
	$(BIN)/tongban demo

test: install
	$(BIN)/pytest

test-pg:
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_dev $(BIN)/pytest

test-browser:
	$(BIN)/pytest -m browser

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

fmt:
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

openapi:
	$(BIN)/tongban openapi

bench-search:
	$(BIN)/tongban bench search

ci:
	bash .ci/run
