"""Where a Docker engine cannot build the image, the Docker tests say why and skip (CI fails
instead): checked here against a stand-in docker client, so it runs on every machine."""

from pathlib import Path

import pytest

from tests.docker import conftest

_FAKE_DOCKER = """#!/bin/sh
case "$1 $2" in
    "info "*) exit {info} ;;
    "image inspect") exit {inspect} ;;
    "pull "*) echo "dial tcp: lookup registry-1.docker.io: no such host" >&2; exit 1 ;;
esac
exit 0
"""


def _fake_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, info: int, inspect: int) -> None:
    client = tmp_path / "docker"
    client.write_text(_FAKE_DOCKER.format(info=info, inspect=inspect))
    client.chmod(0o755)
    monkeypatch.setattr(conftest, "DOCKER", str(client))


def test_an_engine_without_the_base_image_or_a_registry_is_a_reason_to_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_docker(tmp_path, monkeypatch, info=0, inspect=1)
    problem = conftest.engine_problem("python:3.11-slim")
    assert problem is not None
    assert "the base image python:3.11-slim is not here and cannot be pulled" in problem
    assert "no such host" in problem
    assert "scripts/local-base-image.sh" in problem and "BASE_IMAGE=" in problem


def test_no_engine_is_a_reason_to_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_docker(tmp_path, monkeypatch, info=1, inspect=0)
    problem = conftest.engine_problem("python:3.11-slim")
    assert problem is not None and problem.startswith("no Docker engine answers")


def test_a_local_base_image_is_enough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_docker(tmp_path, monkeypatch, info=0, inspect=0)
    assert conftest.engine_problem("scorehost-base:bookworm") is None
