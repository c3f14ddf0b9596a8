#!/usr/bin/env bash
# Build a local stand-in for python:3.11-slim where no registry can be reached (CI here):
# a minimal Debian bookworm with python3 and venv, from the Debian mirror apt already uses.
# Usage: scripts/local-base-image.sh [IMAGE]   (default scorehost-base:bookworm)
set -euo pipefail
image="${1:-scorehost-base:bookworm}"
docker="${DOCKER:-docker}"
if "$docker" image inspect "$image" >/dev/null 2>&1; then
    echo "base image $image already present"
    exit 0
fi
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror="${mirror:-http://deb.debian.org/debian}"
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" "$mirror" >/dev/null
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | "$docker" import - "$image" >/dev/null
echo "built base image $image from $mirror"
