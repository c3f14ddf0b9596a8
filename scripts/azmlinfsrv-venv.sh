#!/usr/bin/env bash
# Azure ML's own server (azureml-inference-server-http, command azmlinfsrv) in a venv of its own
# under .bench/ (it pins OpenTelemetry and Flask versions that clash with ours), with what the
# example scripts import. Used by `make bench` and by the suite that runs tests/compat against
# both servers. Idempotent: an existing venv is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.bench/azmlinfsrv
if [ ! -x "$venv/bin/azmlinfsrv" ]; then
    mkdir -p .bench
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q azureml-inference-server-http scikit-learn joblib numpy pillow
fi
echo "$venv/bin/azmlinfsrv"
