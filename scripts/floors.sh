#!/usr/bin/env bash
# The floors in pyproject.toml are true: install the lowest version each direct dependency
# allows (uv's --resolution lowest-direct) into a venv of its own, with the extras serving uses,
# and run the server's unit tests there. Needs the package registry.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${FLOORS_VENV:-.floors}"
uv="${UV:-.venv/bin/uv}"
rm -rf "$venv"
"$uv" venv -q -p 3.11 "$venv"
VIRTUAL_ENV="$venv" "$uv" pip install -q --resolution lowest-direct \
    -e ".[mnist,client,typed,telemetry]" "pytest>=8.3" "pytest-timeout>=2.3" "httpx2>=2.16"
VIRTUAL_ENV="$venv" "$uv" pip list --format=freeze | grep -i -E \
    '^(fastapi|uvicorn|pydantic|pydantic-settings|numpy|orjson|werkzeug|a2wsgi|inference-schema)=='
# the project's warning filters name modules of extras not installed here: errors only
"$venv/bin/python" -m pytest -q -p no:cacheprovider -o "filterwarnings=error" tests/unit/app \
    -k "not azureml"  # azureml-core is the deploy-v1 extra's
