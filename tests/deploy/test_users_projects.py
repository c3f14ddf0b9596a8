"""A user's own project on every online target: the @rawhttp image example with a PNG sample, and
a multi-model script whose body is not `{"data": rows}`, each deployed (dry run, then a faked real
run whose scoring URI is a real scorehost serving the project). The smoke test sends the user's
sample as it is and checks the answer: no rollback, exit 0. Without a sample it checks readiness
only, and says so."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from PIL import Image

from scorehost.deploy.azureml_v1 import cli as azureml_v1
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


@pytest.fixture(params=["image", "multimodel"])
def project(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    mnist_model_dir: Path,
    digit_rows: np.ndarray,
) -> Project:
    if request.param == "multimodel":
        return projects.multimodel(tmp_path / "multimodel")
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
    assert main(["deploy", "--dry-run", "--image", DIGEST_REF, *_sample_flags(project)]) == 0
    plan = json.loads(capsys.readouterr().out)["plan"]
    assert f"POST {project.sample.name} ({project.content_type})" in plan[-1]

    code = main(["deploy", "--image", DIGEST_REF, "--poll-s", "0", *_sample_flags(project)])

    out = capsys.readouterr()
    assert code == 0, out.err
    assert _answer(out.out)["answer"] == project.expected
    assert main(["test", *_sample_flags(project)]) == 0

    wrong = project.root / "wrong.json"
    wrong.write_text(json.dumps({"not": "this"}))
    assert main(["test", "--sample", str(project.sample), "--expect", str(wrong)]) == 4
    assert 'not what --expect says: {"not": "this"}' in capsys.readouterr().err


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
