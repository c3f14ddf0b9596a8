"""A user bakes their own score.py, model and requirements into an image with `scorehost build`,
and it serves like the default image: same user, probes and HEALTHCHECK."""

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scorehost.user_image.server_pins import SERVER_LOCK
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
    # the model's own libraries at its own versions (Azure ML's inference-schema pandas sample
    # pins scikit-learn 1.2.2, built for numpy 1), beside Azure's server package, left out
    (folder / "requirements.txt").write_text(
        "pandas>=2.2\nscikit-learn==1.2.2\nnumpy<2\nazureml-defaults\n"
    )
    # what an Azure ML project folder also holds, and an image must not
    (folder / "config.json").write_text('{"subscription_id": "sub", "workspace_name": "ws"}')
    (folder / ".env").write_text("AZURE_CLIENT_SECRET=not-for-the-image\n")
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
    assert "left out config.json: they look like credentials" in build.stderr
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


def test_the_built_image_holds_the_script_but_no_credentials(user_image: str) -> None:
    listing = docker("run", "--rm", "--entrypoint", "ls", user_image, "-A", "/var/azureml-app")
    assert listing.stdout.split() == ["requirements.txt", "score.py"]


def test_a_requirement_that_would_move_a_server_package_stops_before_building(
    image: str, tmp_path: Path
) -> None:
    # werkzeug 3.0.0 has a multipart DoS (CVE-2023-46136); pip check alone would let it in
    folder = tmp_path / "old-werkzeug"
    folder.mkdir()
    (folder / "score.py").write_text(SCORE_PY)
    (folder / "requirements.txt").write_text("pandas>=2.2\nwerkzeug==3.0.0\n")
    served = docker("run", "--rm", "--entrypoint", "cat", image, SERVER_LOCK).stdout
    werkzeug = next(line for line in served.splitlines() if line.lower().startswith("werkzeug=="))

    build = subprocess.run(
        [
            *(sys.executable, "-m", "scorehost", "build", str(folder), "--tag", "never:built"),
            *("--base", image, "--docker", DOCKER),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert build.returncode == 2, build.stderr
    assert "asks for 'werkzeug==3.0.0'" in build.stderr
    assert f"runs on werkzeug {werkzeug.split('==')[1]}" in build.stderr
    assert docker("image", "inspect", "never:built", check=False).returncode != 0


def test_the_models_own_scikit_learn_and_numpy_replace_the_tutorials(user_image: str) -> None:
    versions = docker(
        *("run", "--rm", "--entrypoint", "python", user_image, "-c"),
        "import numpy, sklearn; print(sklearn.__version__, numpy.__version__)",
    ).stdout.split()
    assert versions[0] == "1.2.2" and versions[1].startswith("1.")
