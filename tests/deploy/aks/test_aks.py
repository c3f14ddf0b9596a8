"""`scorehost deploy aks`: the same image and Model.deploy path as ACI, onto an AKS cluster
attached to the workspace, with replicas or Azure ML's autoscaler. Real azureml-core, HTTP fake."""

import functools
import json
from pathlib import Path

import pytest

from scorehost.deploy.azureml_v1 import cli
from scorehost.deploy.shared.registry import DockerCli
from tests.deploy.conftest import DIGEST_REF, FakeDocker, comparable_v1_body
from tests.deploy.fake_azure import FakeAzure
from tests.servers import ServerProcess

main = functools.partial(cli.main, "aks")

pytestmark = pytest.mark.deploy


def test_dry_run_plans_autoscale_on_the_attached_cluster(
    fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", "--dry-run"], docker=DockerCli(fake_docker)) == 0

    output = json.loads(capsys.readouterr().out)
    body = output["request_body"]
    assert (body["computeType"], body["computeName"]) == ("AKS", "aks-cluster")
    assert body["autoScaler"] == {
        "autoscaleEnabled": True,
        "minReplicas": 2,
        "maxReplicas": 10,
        "targetUtilization": 70,
        "refreshPeriodInSeconds": 10,
    }
    assert body["containerResourceRequirements"]["cpu"] == 2.0
    assert body["authEnabled"] is True
    variables = body["environmentImageRequest"]["environment"]["environmentVariables"]
    assert variables["SCOREHOST_WORKERS"] == "2"
    assert variables["SCOREHOST_SCORING_TIMEOUT_MS"] == "59000"
    assert "AKS cluster aks-cluster (autoscale 2-10 replicas" in " ".join(output["plan"])


def test_fixed_replicas_instead_of_autoscale(
    fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "deploy",
        "--dry-run",
        "--no-autoscale-enabled",
        "--num-replicas",
        "4",
        "--cpu-cores",
        "4",
        "--memory-gb",
        "4",
        "--image",
        DIGEST_REF,
    ]
    assert main(argv, docker=DockerCli(fake_docker)) == 0

    body = json.loads(capsys.readouterr().out)["request_body"]
    assert body["numReplicas"] == 4
    assert body["autoScaler"]["autoscaleEnabled"] is False
    variables = body["environmentImageRequest"]["environment"]["environmentVariables"]
    assert variables["SCOREHOST_WORKERS"] == "4"


def test_deploy_reaches_the_cluster_with_the_dry_runs_body(
    fake_docker: FakeDocker,
    fake_azure: FakeAzure,
    workspace_config: Path,
    tutorial: ServerProcess,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_azure.scoring_uri = f"{tutorial.url}/score"  # a real scorehost stands in for AKS
    argv = ["deploy", "--workspace-config", str(workspace_config), "--poll-s", "0"]
    assert main(argv, docker=DockerCli(fake_docker)) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["scoring_uri"] == fake_azure.scoring_uri

    assert main([*argv, "--dry-run"], docker=DockerCli(fake_docker)) == 0
    planned = json.loads(capsys.readouterr().out)["request_body"]
    (sent,) = fake_azure.deploy_payloads
    planned["environmentImageRequest"]["environment"]["docker"]["baseImage"] = DIGEST_REF
    assert comparable_v1_body(planned) == comparable_v1_body(sent)
    assert main(["test", "--workspace-config", str(workspace_config)]) == 0


def test_a_cluster_that_is_not_attached_exits_3_naming_it(
    fake_docker: FakeDocker,
    fake_azure: FakeAzure,
    workspace_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["deploy", "--workspace-config", str(workspace_config), "--compute-target", "nope"]
    assert main(argv, docker=DockerCli(fake_docker)) == 3
    assert "nope" in capsys.readouterr().err
    assert fake_azure.deploy_payloads == []
    assert not [a for a, _ in fake_docker.calls if a[1] in ("tag", "push")]  # checked first


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--num-replicas", "3"], "num_replicas"),
        (["--autoscale-min-replicas", "5", "--autoscale-max-replicas", "2"], "autoscale_min"),
        (["--autoscale-target-utilization", "0"], "autoscale_target_utilization"),
        (["--cpu-cores", "0"], "cpu_cores"),
        (["--scoring-timeout-ms", "10"], "scoring_timeout_ms"),
        (["--service-name", "UPPER"], "service_name"),
        (["--entry-script", "missing.py"], "entry_script"),
    ],
)
def test_every_invalid_setting_exits_2_naming_the_field(
    fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str], argv: list[str], field: str
) -> None:
    assert main(["deploy", "--dry-run", *argv], docker=DockerCli(fake_docker)) == 2
    assert field in capsys.readouterr().err
