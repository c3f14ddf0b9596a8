"""The real image on a real Docker engine: built once per session by `make image`."""

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import httpx
import pytest

from tests.paths import ROOT

IMAGE = os.environ.get("IMAGE", "scorehost:latest")
DOCKER = os.environ.get("DOCKER", "docker")
# The Makefile's default, which `make image` builds FROM unless BASE_IMAGE says otherwise.
BASE_IMAGE = os.environ.get("BASE_IMAGE", "python:3.11-slim")


def docker(
    *args: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DOCKER, *args], capture_output=True, text=True, check=check, timeout=timeout
    )


def engine_problem(base_image: str = BASE_IMAGE) -> str | None:
    """Why this machine cannot build and run the image, or None if it can."""
    if shutil.which(DOCKER) is None:
        return f"no docker client ({DOCKER}) on PATH (scripts/docker-engine.sh installs one)"
    info = docker("info", check=False, timeout=30)
    if info.returncode != 0:
        return f"no Docker engine answers: {info.stderr.strip()} (scripts/docker-engine.sh)"
    if docker("image", "inspect", base_image, check=False, timeout=30).returncode == 0:
        return None
    pull = docker("pull", base_image, check=False, timeout=300)
    if pull.returncode != 0:
        return (
            f"the base image {base_image} is not here and cannot be pulled "
            f"({pull.stderr.strip()}): build one with scripts/local-base-image.sh NAME and set "
            "BASE_IMAGE=NAME"
        )
    return None


@pytest.fixture(scope="session")
def image() -> str:
    problem = engine_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Docker tests, but {problem}")
        pytest.skip(f"Docker tests skipped: {problem}")
    build = subprocess.run(
        ["make", "image", f"IMAGE={IMAGE}"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert build.returncode == 0, f"make image failed:\n{build.stdout[-4000:]}\n{build.stderr}"
    return IMAGE


@dataclass
class Container:
    id: str
    url: str

    def logs(self) -> str:
        result = docker("logs", self.id, check=False)
        return result.stdout + result.stderr

    def state(self, field: str) -> str:
        return docker("inspect", "-f", f"{{{{.State.{field}}}}}", self.id).stdout.strip()

    def exec(self, *command: str, stdin: str | None = None) -> str:
        return subprocess.run(
            [DOCKER, "exec", "-i", self.id, *command],
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout

    def wait_ready(self, deadline_s: float = 90) -> float:
        """Poll GET / until 200; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < deadline_s:
            if self.state("Running") != "true":
                raise AssertionError(f"container stopped:\n{self.logs()}")
            try:
                if httpx.get(f"{self.url}/", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"container not ready in {deadline_s} s:\n{self.logs()}")

    def wait_exit(self, timeout_s: float) -> int:
        return int(docker("wait", self.id, timeout=timeout_s).stdout.strip())


class RunContainer(Protocol):
    def __call__(
        self, *args: str, command: tuple[str, ...] = (), image: str | None = None
    ) -> Container: ...


@pytest.fixture
def run_container(image: str) -> Iterator[RunContainer]:
    started: list[str] = []
    built = image

    def run(*args: str, command: tuple[str, ...] = (), image: str | None = None) -> Container:
        """`image`: another image than the one built (one derived from it)."""
        name = f"scorehost-test-{uuid.uuid4().hex[:8]}"
        run_image = image or built
        docker("run", "-d", "--name", name, "-p", "127.0.0.1::5001", *args, run_image, *command)
        started.append(name)
        port = docker("port", name, "5001/tcp").stdout.split(":")[-1].strip()
        return Container(name, f"http://127.0.0.1:{port}")

    yield run
    for name in started:
        docker("rm", "-f", name, check=False)
