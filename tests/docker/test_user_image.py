"""A user bakes their own score.py, model and requirements into an image with `scorehost build`,
and it serves like the default image: same user, probes and HEALTHCHECK."""

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.docker.conftest import DOCKER, Container, docker
from tests.docker.test_compose import compose_command
from tests.paths import ROOT
from tests.servers import free_port

pytestmark = pytest.mark.docker

SCORE_PY = """\
import json
import os

import pandas as pd


def init():
    global scale
    with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "scale.txt")) as f:
        scale = float(f.read())


def run(raw_data):
    frame = pd.DataFrame(json.loads(raw_data)["rows"])
    return {"pandas": pd.__version__, "sums": (frame.sum(axis=1) * scale).tolist()}
"""


@pytest.fixture(scope="module")
def user_image(image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("user") / "pandas-model"
    (folder / "model").mkdir(parents=True)
    (folder / "score.py").write_text(SCORE_PY)
    (folder / "model" / "scale.txt").write_text("10")
    (folder / "requirements.txt").write_text("pandas>=2.2\nazureml-defaults\n")
    tag = f"scorehost-user-test:{uuid.uuid4().hex[:8]}"
    ca = os.environ.get("PIP_CA_BUNDLE")
    build = subprocess.run(
        [
            *(sys.executable, "-m", "scorehost", "build", str(folder), "--tag", tag),
            *("--base", image, "--docker", DOCKER),
            *(["--pip-ca", ca] if ca else []),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, f"{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
    assert "azureml-defaults left out (scorehost replaces it)" in build.stderr
    yield tag
    docker("rmi", "-f", tag, check=False)


def test_a_built_image_serves_a_script_that_needs_pandas(user_image: str) -> None:
    name = f"scorehost-user-{uuid.uuid4().hex[:8]}"
    # SCOREHOST_MODEL_DIR as the deploy commands set it for the model baked into an image
    model_dir = "SCOREHOST_MODEL_DIR=/opt/scorehost/model"
    docker("run", "-d", "--name", name, "-p", "127.0.0.1::5001", "-e", model_dir, user_image)
    try:
        port = docker("port", name, "5001/tcp").stdout.split(":")[-1].strip()
        container = Container(name, f"http://127.0.0.1:{port}")
        container.wait_ready()
        answer = httpx.post(
            f"{container.url}/score", content=json.dumps({"rows": [[1, 2], [3, 4]]}), timeout=30
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["sums"] == [30.0, 70.0]
        assert container.exec("id", "-u").strip() == "10001"
        deadline = time.monotonic() + 60
        while container.state("Health.Status") != "healthy" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert container.state("Health.Status") == "healthy"
    finally:
        docker("rm", "-f", name, check=False)


def test_compose_serves_the_built_image_as_it_serves_the_default_one(user_image: str) -> None:
    port = free_port()
    project = f"scorehost-user-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "SCOREHOST_IMAGE": user_image, "SCOREHOST_PUBLISH": f"127.0.0.1:{port}"}
    for name in ("AZUREML_ENTRY_SCRIPT", "AZUREML_MODEL_DIR", "WORKER_COUNT"):
        env.pop(name, None)  # unset: the image's own ENV stands
    compose = [*compose_command(), "-p", project]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*compose, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    try:
        up = run("up", "-d")
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        container = Container(
            run("ps", "-q", "scorehost").stdout.strip(), f"http://127.0.0.1:{port}"
        )
        container.wait_ready()
        answer = httpx.post(f"{container.url}/score", content='{"rows": [[5]]}', timeout=30)
        assert answer.json()["sums"] == [50.0]
    finally:
        assert run("down", "-v").returncode == 0
