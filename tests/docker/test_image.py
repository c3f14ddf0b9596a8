"""A user runs the image: it serves the built-in model with no mounts, as the bare server does."""

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import numpy.typing as npt
import pytest
from packaging.utils import canonicalize_name

from tests.docker.conftest import Container, RunContainer, docker
from tests.lock import image_pins
from tests.paths import SCRIPTS, TUTORIAL_SCRIPT
from tests.servers import wait_in_flight

pytestmark = pytest.mark.docker

IN_PROCESS = (
    "import sys, json, joblib, numpy as np; "
    "m = joblib.load('/opt/scorehost/model/sklearn_mnist_model.pkl'); "
    "print(json.dumps(m.predict(np.array(json.load(sys.stdin)['data'])).tolist()))"
)


def test_image_scores_exactly_as_its_model_does_in_process(
    run_container: RunContainer, digit_rows: npt.NDArray[np.float64]
) -> None:
    container = run_container()
    container.wait_ready()
    body = json.dumps({"data": digit_rows[:100].tolist()})

    response = httpx.post(f"{container.url}/score", content=body, timeout=30)

    assert httpx.get(f"{container.url}/").text == "Healthy"
    assert response.status_code == 200
    in_process = json.loads(container.exec("python", "-c", IN_PROCESS, stdin=body))
    assert response.json() == in_process
    assert len(in_process) == 100


def test_the_image_carries_the_server_alone(run_container: RunContainer) -> None:
    container = run_container()
    container.wait_ready()
    found = container.exec(
        "python",
        "-c",
        "import importlib.util as u; "
        "print([m for m in ('scorehost', 'scorehost.app', 'scorehost.tutorial', "
        "'scorehost.client', 'scorehost.deploy', 'app', 'deploy', 'tqdm', 'mlxtend', "
        "'matplotlib') if u.find_spec(m)])",
    )
    assert found.strip() == "['scorehost', 'scorehost.app']"
    commands = container.exec("scorehost", "--help")
    assert "{serve,probe}" in commands
    # pip's CA for the build (docker/pip-ca/) was read by the build stages only
    found_ca = container.exec("sh", "-c", "find / -xdev -path '*pip-ca*' 2>/dev/null || true")
    assert found_ca == ""
    # nothing of apt's cache or package lists, whichever base it was built on
    apt_files = "find /var/cache/apt /var/lib/apt/lists -type f ! -name lock 2>/dev/null || true"
    assert container.exec("sh", "-c", apt_files) == ""
    # every package in the image is at the version docker/constraints.txt pins
    freeze = container.exec("pip", "freeze", "--exclude", "scorehost", "--exclude", "pip")
    installed = {canonicalize_name(n): v for n, v in (x.split("==") for x in freeze.split())}
    locked = image_pins()
    assert installed == {name: locked[name] for name in installed if name in locked}
    assert "fastapi" in installed and "scikit-learn" in installed


def test_bad_input_gets_the_same_4xx_as_the_bare_server(run_container: RunContainer) -> None:
    container = run_container()
    container.wait_ready()
    response = httpx.post(f"{container.url}/score", content=json.dumps({"data": [[0.5] * 783]}))
    assert response.status_code == 422
    assert response.json()["message"].startswith("row 0 has 783 values, the model expects 784.")


def test_runs_as_non_root_and_under_a_random_uid(run_container: RunContainer) -> None:
    default = run_container()
    default.wait_ready()
    assert default.exec("id", "-u").strip() == "10001"

    random_uid = run_container("--user", "43117:0")
    random_uid.wait_ready()
    assert random_uid.exec("id", "-u").strip() == "43117"
    assert httpx.post(f"{random_uid.url}/score", content='{"data": [[1]]}').status_code == 422


def test_docker_stop_answers_requests_in_flight_and_exits_0(run_container: RunContainer) -> None:
    container = run_container(
        "-v", f"{SCRIPTS}:/mnt/user:ro", "-e", "AZUREML_ENTRY_SCRIPT=/mnt/user/slow_run.py"
    )
    container.wait_ready()
    answers: list[httpx.Response] = []
    requests = [
        threading.Thread(
            target=lambda: answers.append(
                httpx.post(f"{container.url}/score", content='{"sleep": 1.5}', timeout=30)
            )
        )
        for _ in range(2)
    ]
    for request in requests:
        request.start()
    wait_in_flight(container.url, 2)  # one running, one queued

    started = time.monotonic()
    docker("stop", "-t", "20", container.id)
    stop_seconds = time.monotonic() - started
    for request in requests:
        request.join()

    assert [answer.json() for answer in answers] == [{"slept": 1.5}, {"slept": 1.5}]
    assert container.state("ExitCode") == "0"
    assert stop_seconds < 8


def _server_pid(container: Container) -> int:
    processes = docker("top", container.id, "-eo", "pid,args").stdout.splitlines()[1:]
    pids = [int(line.split()[0]) for line in processes if "scorehost serve" in line]
    assert pids, processes
    return pids[0]


def test_started_as_runsvdir_it_serves_and_dies_with_the_server(
    run_container: RunContainer,
) -> None:
    container = run_container(command=("runsvdir", "/var/runit"))
    container.wait_ready()
    response = httpx.post(f"{container.url}/score", content=json.dumps({"data": [[0.0] * 784]}))
    assert response.status_code == 200

    os.kill(_server_pid(container), signal.SIGKILL)

    container.wait_exit(30)
    assert container.state("Running") == "false"
    assert "scorehost exited" in container.logs()


def test_in_a_memory_limited_container_requests_that_get_oom_killed_never_stop_it(
    run_container: RunContainer, tmp_path: Path
) -> None:
    # the red team's six uploads in a 900 MB container: each took its worker past the cgroup's
    # limit; the server must answer the next caller all the same (a real cgroup, a real OOM kill)
    app = tmp_path / "app"
    app.mkdir()
    (app / "score.py").write_text((SCRIPTS / "memory_hog.py").read_text())
    app.chmod(0o755)
    limited = ["--memory", "400m", "--memory-swap", "400m"]
    script = ["-v", f"{app}:/var/azureml-app:ro", "-e", "AZUREML_ENTRY_SCRIPT=score.py"]
    container = run_container(*limited, *script)

    for _ in range(6):
        container.wait_ready()  # a worker is there to kill
        with pytest.raises(httpx.TransportError):
            httpx.post(f"{container.url}/score", content="hog", timeout=60)

    container.wait_ready()
    answer = httpx.post(f"{container.url}/score", content="still here", timeout=30)
    assert answer.json() == {"echo": "still here"}
    assert container.state("Running") == "true"
    assert container.logs().count("died while serving (killed by SIGKILL") == 6


# The shape of MachineLearningNotebooks' v1 deployment samples
# (how-to-use-azureml/deployment/deploy-to-cloud/score.py): the model found by its registered
# name through azureml-core's Model, which the slim image does not install.
V1_SCRIPT = """\
import json

from azureml.core.model import Model


def init():
    global coefficients
    with open(Model.get_model_path("regression.json")) as f:
        coefficients = json.load(f)


def run(raw_data):
    rows = json.loads(raw_data)["data"]
    return [sum(c * x for c, x in zip(coefficients, row)) for row in rows]
"""


def test_a_v1_script_finds_its_model_with_model_get_model_path_in_the_slim_image(
    run_container: RunContainer, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    (app / "model").mkdir(parents=True)
    (app / "score.py").write_text(V1_SCRIPT)
    (app / "model" / "regression.json").write_text("[2.0, 0.5]")
    for path in (app, app / "model"):
        path.chmod(0o755)
    container = run_container(
        *("-v", f"{app}:/var/azureml-app:ro", "-e", "AZUREML_ENTRY_SCRIPT=score.py"),
        *("-e", "AZUREML_MODEL_DIR=/var/azureml-app/model"),
    )
    container.wait_ready()
    answer = httpx.post(f"{container.url}/score", content='{"data": [[1, 2], [3, 4]]}')
    assert answer.json() == [3.0, 8.0]
    installed = container.exec("/opt/venv/bin/pip", "list", "--format=freeze").lower()
    assert "azureml-core" not in installed  # scorehost's Model answered


AZURE_STACK = """\
FROM {image}
USER root
# What Azure ML's inference stack puts in an image: its server as the runit service
# /var/runit/gunicorn (here a stand-in answering on 5001 as its nginx would)
RUN mkdir -p /var/runit/gunicorn /srv/azure-stack \\
    && echo "azure inference stack" > /srv/azure-stack/index.html \\
    && printf '#!/bin/sh\\nexec /opt/venv/bin/python -m http.server 5001 -d /srv/azure-stack\\n' \\
        > /var/runit/gunicorn/run \\
    && chmod +x /var/runit/gunicorn/run && chown -R 10001:0 /var/runit && chmod -R g=u /var/runit
USER 10001
"""


@pytest.fixture
def with_azure_stack(image: str, tmp_path: Path) -> Iterator[str]:
    """The image as Azure ML builds it FROM ours with its own inference stack added."""
    tag = f"scorehost-azure-stack-test:{tmp_path.name[-8:].lower()}"
    (tmp_path / "Dockerfile").write_text(AZURE_STACK.format(image=image))
    docker("build", "-q", "-t", tag, str(tmp_path))
    yield tag
    docker("rmi", "-f", tag, check=False)


def test_under_runit_beside_azure_mls_own_stack_only_one_server_starts(
    run_container: RunContainer, with_azure_stack: str
) -> None:
    container = run_container(command=("runsvdir", "/var/runit"), image=with_azure_stack)
    deadline = time.monotonic() + 30
    while "not starting its server" not in container.logs() and time.monotonic() < deadline:
        time.sleep(0.5)

    assert "Azure ML's inference stack (/var/runit/gunicorn) serves" in container.logs()
    assert "azure inference stack" in httpx.get(f"{container.url}/", timeout=10).text
    processes = docker("top", container.id, "-eo", "pid,args").stdout
    assert "scorehost serve" not in processes
    assert container.state("Running") == "true"  # the deferred service stays up, quietly


def test_under_runit_with_scorehost_runit_off_scorehost_stays_down(
    run_container: RunContainer,
) -> None:
    container = run_container("-e", "SCOREHOST_RUNIT=off", command=("runsvdir", "/var/runit"))
    deadline = time.monotonic() + 30
    while "SCOREHOST_RUNIT=off" not in container.logs() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "not starting its server under runit: SCOREHOST_RUNIT=off" in container.logs()
    assert "scorehost serve" not in docker("top", container.id, "-eo", "pid,args").stdout


def test_healthcheck_reports_healthy(run_container: RunContainer) -> None:
    container = run_container("--health-interval", "1s")
    container.wait_ready()
    deadline = time.monotonic() + 30
    while container.state("Health.Status") != "healthy" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert container.state("Health.Status") == "healthy"
    # the probe reads the URL serve wrote and imports nothing of the server
    assert container.exec("cat", "/tmp/scorehost.probe").strip() == "http://127.0.0.1:5001/"


def test_runs_as_the_kubernetes_pod_does_read_only_with_a_mounted_keys_file(
    run_container: RunContainer, tmp_path: Path
) -> None:
    # scorehost/deploy/k8s: read-only root, only /tmp writable, no capabilities, API keys as a file
    keys = tmp_path / "keys"
    keys.write_text("# rotated 2026-11\nk8s-key-one\nk8s-key-two\n")
    keys.chmod(0o444)
    tmp_path.chmod(0o755)  # the container's user (10001) must reach it, as with a k8s secret
    container = run_container(
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "-v",
        f"{tmp_path}:/etc/scorehost/keys:ro",
        "-e",
        "SCOREHOST_API_KEYS_FILE=/etc/scorehost/keys/keys",
        "-e",
        "SCOREHOST_WORKERS=2",
    )
    container.wait_ready()
    row = '{"data": [[0.0]]}'

    assert httpx.post(f"{container.url}/score", content=row).status_code == 401
    answer = httpx.post(
        f"{container.url}/score", content=row, headers={"Authorization": "Bearer k8s-key-two"}
    )
    assert answer.status_code == 422  # authorized; one value is not a digit
    assert httpx.get(f"{container.url}/metrics").status_code == 401  # labels name paths
    metrics = httpx.get(f"{container.url}/metrics", headers={"Authorization": "Bearer k8s-key-one"})
    assert "scorehost_requests" in metrics.text


def test_workers_auto_follows_the_containers_cpu_quota(run_container: RunContainer) -> None:
    # what an online endpoint deployment sets: the instance's CPUs decide, not a table of sizes;
    # one CPU of this machine's two, so a reader that missed the quota would start two
    container = run_container("--cpus", "1", "-e", "SCOREHOST_WORKERS=auto")
    container.wait_ready()

    assert "with 1 worker(s)" in container.logs()
    answer = httpx.post(f"{container.url}/score", content=json.dumps({"data": [[0.0] * 784]}))
    assert answer.status_code == 200


def test_started_as_azure_ml_v1_starts_it_the_image_serves_the_copied_script(
    run_container: RunContainer, tmp_path: Path
) -> None:
    """Azure ML v1 copies the entry script's folder to /var/azureml-app, sets a relative
    AZUREML_ENTRY_SCRIPT and its own AZUREML_MODEL_DIR, and runs `runsvdir /var/runit`; our
    deploy adds SCOREHOST_MODEL_DIR for the model baked into the image."""
    app = tmp_path / "azureml-app" / "mnist"
    app.mkdir(parents=True)
    (app / "score.py").write_text(TUTORIAL_SCRIPT.read_text())
    app.chmod(0o755)
    container = run_container(
        "-v",
        f"{app.parent}:/var/azureml-app:ro",
        "-e",
        "AZUREML_ENTRY_SCRIPT=mnist/score.py",
        "-e",
        "AZUREML_MODEL_DIR=/var/azureml-app/azureml-models/none/1",
        "-e",
        "SCOREHOST_MODEL_DIR=/opt/scorehost/model",
        command=("runsvdir", "/var/runit"),
    )
    container.wait_ready()
    assert "Serving /var/azureml-app/mnist/score.py (model dir /opt/scorehost/model)" in (
        container.logs()
    )
    assert httpx.post(f"{container.url}/score", content='{"data": [[0.0]]}').status_code == 422
