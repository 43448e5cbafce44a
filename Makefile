# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# The Dagster instance lives in the git-ignored .dagster/, configured by a link to ./dagster.yaml.
export DAGSTER_HOME ?= $(CURDIR)/.dagster
INSTANCE := $(DAGSTER_HOME)/dagster.yaml

.PHONY: demo test lint dev demo-data install validate check clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(INSTANCE):
	mkdir -p $(DAGSTER_HOME)
	ln -sf $(CURDIR)/dagster.yaml $@

install: $(INSTALLED) $(INSTANCE)

## Materialise every asset on the data in $EVAL_DATA_DIR (default data/raw) and say where the marts are.
demo: install
	$(BIN)/python -m pipeline.cli refresh

## Run the test suite.
test: install
	$(BIN)/python -m pytest

## Check style and common mistakes (ruff).
lint: install
	$(BIN)/ruff check pipeline assets tests bench
	$(BIN)/ruff format --check pipeline assets tests bench

## The Dagster UI on http://127.0.0.1:3000 over the same assets and instance.
dev: install
	$(BIN)/dagster dev -m pipeline.definitions -h 127.0.0.1 -p 3000

## Check the reference data in $EVAL_DATA_DIR as a whole, writing nothing.
check: install
	$(BIN)/python -m pipeline.cli check

## Rewrite the seeded demo exports (surveys, codings, assessments, monitoring returns) in data/raw.
demo-data: install
	$(BIN)/python -m pipeline.generators.demo

## Check that the code location loads.
validate: install
	$(BIN)/dagster definitions validate -m pipeline.definitions

## Remove generated output: the warehouse, published marts and Dagster run history.
clean:
	rm -rf data/warehouse.duckdb data/warehouse.duckdb.wal .dagster
	find data/marts -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
