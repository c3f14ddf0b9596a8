"""A user's own project on every target: the @rawhttp image example with a PNG sample, a
multi-model script whose body is not `{"data": rows}`, and that script at the root of a git
repository (with .venv, .git, keys and ignored data beside it), each deployed (dry run, then a
faked real run whose scoring URI is a real scorehost serving the project). The smoke test sends
the user's sample as it is and checks the answer: no rollback, exit 0. Without a sample it checks
readiness only, and says so. The repository's batch driver goes to a batch endpoint, and runs
locally as Azure will mount its model."""

import io
import json
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from PIL import Image

from scorehost.deploy.azureml_v1 import cli as azureml_v1
from scorehost.deploy.batch_endpoint import cli as batch_endpoint
from scorehost.deploy.container_instance import cli as container_instance
from scorehost.deploy.online_endpoint import cli as online_endpoint
from scorehost.deploy.shared.registry import DockerCli
from scorehost.tutorial.train import MODEL_FILE
from tests import projects
from tests.deploy.conftest import DIGEST_REF, FakeDocker, serve_fake_arm
from tests.deploy.fake_arm import FakeArm
from tests.deploy.fake_azure import FakeAzure
from tests.projects import Project
from tests.servers import ServerProcess, StartServer

pytestmark = pytest.mark.deploy
IMAGE = "myacr.azurecr.io/project@sha256:" + "e" * 64
Main = Callable[[list[str]], int]


@pytest.fixture(params=["image", "multimodel", "repository"])
def project(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    mnist_model_dir: Path,
    digit_rows: np.ndarray,
) -> Project:
    if request.param == "multimodel":
        return projects.multimodel(tmp_path / "multimodel")
    if request.param == "repository":
        return projects.repository(tmp_path / "iris-service")
    digit = digit_rows[7]
    png = np.asarray(Image.fromarray((digit * 255).round().astype(np.uint8).reshape(28, 28)))
    label = int(joblib.load(mnist_model_dir / MODEL_FILE).predict(png.reshape(1, -1) / 255)[0])
    return projects.image(tmp_path / "image", mnist_model_dir, digit, label)


@pytest.fixture
def served(project: Project, start_server: StartServer) -> ServerProcess:
    """What the cloud would run: scorehost serving the project."""
    return start_server("--entry-script", project.script, "--model-dir", project.model_dir)


def _sample_flags(project: Project) -> list[str]:
    return ["--sample", str(project.sample), "--expect", str(project.expect_file)]


def _answer(out: str) -> Any:
    """The smoke test's one-line report."""
    line = next(line for line in out.splitlines() if line.startswith('{"scoring_uri"'))
    return json.loads(line)


def _v1(target: str, fake_azure: FakeAzure, served: ServerProcess, config: Path) -> Main:
    """`scorehost deploy aci|aks` against the fake, whose service is `served`."""
    fake_azure.scoring_uri = f"{served.url}/score"
    docker = DockerCli(FakeDocker())
    ws = ["--workspace-config", str(config)]
    return lambda argv: azureml_v1.main(target, [*argv, *ws], docker=docker)


@pytest.fixture
def project_arm(monkeypatch: pytest.MonkeyPatch, served: ServerProcess) -> Iterator[FakeArm]:
    """Azure Resource Manager's fake, whose endpoints and container groups are `served`; a
    subscription id set."""
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-00000000000a")
    yield from serve_fake_arm(monkeypatch, FakeArm(scoring_uri=f"{served.url}/score"))


@pytest.mark.parametrize("target", ["aci", "aks"])
def test_azure_ml_v1_deploys_and_scores_the_users_own_sample(
    target: str,
    fake_azure: FakeAzure,
    served: ServerProcess,
    workspace_config: Path,
    project: Project,
    capsys: pytest.CaptureFixture[str],
) -> None:
    main = _v1(target, fake_azure, served, workspace_config)
    deploy = ["deploy", "--image", DIGEST_REF, "--entry-script", str(project.script)]
    assert main([*deploy, "--dry-run", *_sample_flags(project)]) == 0
    dry_run = json.loads(capsys.readouterr().out)
    assert f"POST {project.sample.name} ({project.content_type})" in dry_run["plan"][-1]
    planned = sorted(dry_run["upload"]["files"])
    assert project.script.name in planned
    assert not [name for name in planned if name.startswith(projects.NEVER_SENT)]

    code = main([*deploy, "--poll-s", "0", *_sample_flags(project)])

    out = capsys.readouterr()
    assert code == 0, out.err
    assert _answer(out.out)["answer"] == project.expected
    # what reached Azure is the plan's list: the entry script's folder as the snapshot has it
    assert _uploaded_source(fake_azure, project.script.parent.name) == planned
    assert main(["test", *_sample_flags(project)]) == 0

    wrong = project.root / "wrong.json"
    wrong.write_text(json.dumps({"not": "this"}))
    assert main(["test", "--sample", str(project.sample), "--expect", str(wrong)]) == 4
    assert 'not what --expect says: {"not": "this"}' in capsys.readouterr().err


def _uploaded_source(fake_azure: FakeAzure, folder: str) -> list[str]:
    """The files of the source folder azureml-core uploaded (a tar.gz of it), under its name."""
    (archive,) = [body for path, body in fake_azure.uploads.items() if path.endswith(".tar.gz")]
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = [member.name for member in tar.getmembers() if member.isfile()]
    return sorted(name.removeprefix(f"{folder}/") for name in names)


def test_online_endpoint_rolls_out_the_users_project_without_a_rollback(
    project_arm: FakeArm, workspace: Path, project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["deploy", "--image", IMAGE, "--workspace-config", str(workspace)]
    assert online_endpoint.main([*argv, "--dry-run", *_sample_flags(project)]) == 0
    plan = json.loads(capsys.readouterr().out)["plan"]
    assert any(f"POST {project.sample.name} ({project.content_type})" in step for step in plan)

    code = online_endpoint.main([*argv, *_sample_flags(project)])

    out = capsys.readouterr()
    assert code == 0, out.err
    assert "traffic back" not in out.err
    assert _answer(out.out)["answer"] == project.expected
    (endpoint,) = [r for r in project_arm.resources.values() if "traffic" in r["properties"]]
    assert endpoint["properties"]["traffic"] == {"blue": 100}


def test_container_instance_runs_the_users_project_and_scores_its_sample(
    project_arm: FakeArm,
    served: ServerProcess,
    project: Project,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = served.url.rsplit(":", 1)[-1]
    argv = ["deploy", "--image", IMAGE, "--port", port, "--no-auth-enabled"]
    assert container_instance.main([*argv, "--dry-run", *_sample_flags(project)]) == 0
    plan = json.loads(capsys.readouterr().out)["plan"]
    assert f"score {project.sample.name} through it" in plan[-1]

    code = container_instance.main([*argv, *_sample_flags(project)])

    out = capsys.readouterr()
    assert code == 0, out.err
    assert _answer(out.out)["answer"] == project.expected


@pytest.mark.parametrize("project", ["multimodel"], indirect=True)
def test_without_a_sample_only_readiness_is_checked_and_said(
    project_arm: FakeArm, served: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    port = served.url.rsplit(":", 1)[-1]
    code = container_instance.main(
        ["deploy", "--image", IMAGE, "--port", port, "--no-auth-enabled"]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "no --sample given, so readiness only is checked" in err


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    """Azure Resource Manager's fake with no scoring server (batch jobs are only recorded)."""
    yield from serve_fake_arm(monkeypatch, FakeArm())


def test_batch_endpoint_deploys_a_repositorys_driver_and_sends_only_its_files(
    arm: FakeArm, tmp_path: Path, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = projects.repository(tmp_path / "iris-service")
    deploy = [
        "deploy",
        "--workspace-config",
        str(workspace),
        "--code-dir",
        str(repo.root),
        "--scoring-script",
        "batch_driver.py",
        "--model-dir",
        str(repo.root / "models"),
    ]
    assert batch_endpoint.main([*deploy, "--dry-run"]) == 0
    dry_run = json.loads(capsys.readouterr().out)
    code_files = sorted(dry_run["uploads"]["code"]["files"])
    assert dry_run["uploads"]["code"]["ignore_file"] == ".gitignore"
    assert "batch_driver.py" in code_files
    assert not [name for name in code_files if name.startswith(projects.NEVER_SENT)]
    assert sorted(dry_run["uploads"]["model"]["files"]) == ["diabetes.sav", "iris.sav"]
    environment = dry_run["requests"][1]["body"]["properties"]
    assert "scikit-learn" in environment["condaFile"]  # the project's requirements.txt

    code = batch_endpoint.main(deploy)

    assert code == 0, capsys.readouterr().err
    sent = sorted(
        name.split("/iris-service/", 1)[1] for name in arm.blobs if "/scorehost/code/" in name
    )
    assert sent == code_files
    models = sorted(name.rsplit("/models/", 1)[1] for name in arm.blobs if "/model/" in name)
    assert models == ["diabetes.sav", "iris.sav"]


def test_the_repositorys_batch_driver_runs_as_a_batch_endpoint_mounts_its_model(
    tmp_path: Path,
) -> None:
    repo = projects.repository(tmp_path / "iris-service")
    command = [sys.executable, "-m", "scorehost", "batch", "--no-progress"]
    options = {
        "--entry-script": repo.root / "batch_driver.py",
        "--model-dir": repo.root / "models",
        "--model-layout": "registered",  # models/ under AZUREML_MODEL_DIR, as Azure mounts it
        "--input": repo.root / "batch-data",
        "--output": tmp_path / "out",
    }
    argv = [*command, *(str(part) for pair in options.items() for part in pair)]

    result = subprocess.run(argv, capture_output=True, text=True, timeout=240, check=False)

    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "out" / "parallel_run_step.txt").read_text().splitlines()
    assert len(rows) == 5 + 3
    assert {row.split()[0] for row in rows} == {"part-1.csv", "part-2.csv"}
