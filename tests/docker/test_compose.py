"""`docker compose up --build`, a score request, `docker compose down`: the README's local path,
built by Compose itself with the classic builder (Compose v1 without BuildKit builds it too)."""

import json
import os
import shutil
import subprocess
import uuid

import httpx
import pytest

from tests.docker.conftest import Container
from tests.paths import ROOT
from tests.servers import free_port

pytestmark = pytest.mark.docker


def compose_command() -> list[str]:
    configured = os.environ.get("COMPOSE")
    if configured:
        return configured.split()
    return ["docker-compose"] if shutil.which("docker-compose") else ["docker", "compose"]


@pytest.mark.timeout(1200)  # a build by the classic builder, from scratch where its cache is cold
def test_compose_up_builds_scores_and_comes_down(image: str) -> None:
    port = free_port()
    project = f"scorehost-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "SCOREHOST_PUBLISH": f"127.0.0.1:{port}",
        "SCOREHOST_IMAGE": f"{project}:latest",  # built here, not the one `make image` built
        "DOCKER_BUILDKIT": "0",
        "COMPOSE_DOCKER_CLI_BUILD": "0",
    }
    compose = [*compose_command(), "-p", project]

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*compose, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )

    # Where pip needs a proxy's CA (CI), it goes into the build context as for `make image`.
    subprocess.run(["make", "pip-ca"], cwd=ROOT, check=True, capture_output=True)
    try:
        up = run("up", "-d", "--build", timeout=900)
        assert up.returncode == 0, up.stdout[-4000:] + up.stderr[-4000:]
        container_id = run("ps", "-q", "scorehost").stdout.strip()
        container = Container(container_id, f"http://127.0.0.1:{port}")
        container.wait_ready()
        response = httpx.post(
            f"{container.url}/score", content=json.dumps({"data": [[0.0] * 784]}), timeout=30
        )
        assert response.status_code == 200
        assert isinstance(response.json()[0], int)
    finally:
        down = run("down", "-v", "--rmi", "all")
    assert down.returncode == 0, down.stderr
    assert run("ps", "-q").stdout.strip() == ""
