#!/usr/bin/env bash
# Install the servers we compare against, each in a venv of its own under .bench/ (they pin
# libraries that clash with ours), plus wrk, Debian's HTTP load generator. scorehost itself runs
# from .bench/scorehost, installed as the image installs it (the lock, the tutorial model's
# libraries, no tutorial tools): the dev venv's tutorial libraries would be imported at start-up
# (scikit-learn imports pandas whenever it is installed), which no served image does.
set -euo pipefail
cd "$(dirname "$0")/.."
root=.bench
mkdir -p "$root"
if ! command -v wrk >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
scripts/azmlinfsrv-venv.sh >/dev/null
if [ ! -x "$root/mlserver/bin/mlserver" ]; then
    python3 -m venv "$root/mlserver"
    # uvloop 0.22 breaks MLServer 1.7's worker start ("There is no current event loop").
    "$root/mlserver/bin/pip" install -q "mlserver==1.7.1" "mlserver-sklearn==1.7.1" "uvloop==0.21.0" \
        scikit-learn joblib
fi
if [ ! -x "$root/scorehost/bin/scorehost" ] || ! "$root/scorehost/bin/python" -c "import sklearn" 2>/dev/null; then
    python3 -m venv "$root/scorehost"
    "$root/scorehost/bin/pip" install -q -c docker/constraints.txt -e ".[telemetry,mnist]"
    # inference-schema caps wrapt below the lock's (which has no typed extra): as make install
    "$root/scorehost/bin/pip" install -q "inference-schema>=1.7"
fi
echo "anchors ready under $root"
