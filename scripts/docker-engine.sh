#!/usr/bin/env bash
# Make sure a Docker engine answers: install Debian's docker.io (+ compose v1, debootstrap) and
# start dockerd when none runs. For CI machines, which have only the docker client.
set -euo pipefail
if docker info >/dev/null 2>&1; then
    exit 0
fi
if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1 \
    || ! command -v docker-compose >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap >/dev/null
fi
log="${DOCKERD_LOG:-/tmp/scorehost-dockerd.log}"
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 60); do
    if docker info >/dev/null 2>&1; then
        echo "dockerd is up"
        exit 0
    fi
    sleep 1
done
echo "dockerd did not start; its log ($log):" >&2
tail -n 30 "$log" >&2
exit 1
