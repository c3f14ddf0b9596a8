# Every developer and CI task is a target here; CI (.ci/run) runs `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MODEL_DIR ?= models/mnist
MODEL := $(MODEL_DIR)/sklearn_mnist_model.pkl
ENTRY_SCRIPT ?= examples/mnist/score.py
PORT ?= 5001

.PHONY: help install model serve test lint typecheck pytest clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/scorehost: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/scorehost  ## create .venv and install scorehost with its dev tools

$(MODEL): | $(BIN)/scorehost
	$(BIN)/scorehost train --out $(MODEL_DIR)

model: $(MODEL)  ## train the tutorial's MNIST model if it is missing

serve: $(MODEL)  ## serve the tutorial's score.py and model on http://127.0.0.1:5001
	$(BIN)/scorehost serve --entry-script $(ENTRY_SCRIPT) --model-dir $(MODEL_DIR) --port $(PORT)

lint: $(BIN)/scorehost  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/scorehost  ## mypy --strict
	$(BIN)/mypy

pytest: $(BIN)/scorehost  ## unit and end-to-end tests
	$(BIN)/pytest

test: lint typecheck pytest  ## everything CI runs

clean:  ## remove the venv, trained models and caches
	rm -rf $(VENV) models .mypy_cache .pytest_cache .ruff_cache *.egg-info
