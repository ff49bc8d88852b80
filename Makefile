# Two commands for a newcomer: `make run` (the dashboard on the demo) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Loopback only: put a reverse proxy (TLS) in front to serve other machines.
ADDRESS ?= 127.0.0.1
DEMO_DB := data/pilotage.sqlite

.PHONY: run test lint format demo bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus récent est nécessaire.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

## make run: install, prepare the demo database on first run, serve http://localhost:8501
run: $(VENV)/.installed
	@if [ -z "$$PILOTAGE_DATABASE_URL" ] && [ ! -f $(DEMO_DB) ]; then \
		$(BIN)/pilotage init-db && $(BIN)/pilotage demo; fi
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

## make test: install the dev extras, lint, check types, then run the whole suite
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: $(VENV)/.installed
	$(BIN)/pilotage init-db && $(BIN)/pilotage demo

## make bench: speed measurements, apart from the tests (prints ratios measured in one run);
## PostgreSQL too when PILOTAGE_BENCH_POSTGRES_URL is set; BENCH_ARGS="--scales creuse large national"
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data/*.sqlite test-artifacts
