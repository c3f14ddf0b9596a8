"""`scorehost deploy online_endpoint`: a user moves the tested image to a managed online endpoint,
then rolls a new image out blue/green. The real azure-ai-ml and azure-mgmt-monitor run against
an HTTP fake of Azure Resource Manager; smoke tests score through a real scorehost."""

import json
import time
from pathlib import Path
from typing import Any

import pytest

from scorehost.deploy.online_endpoint.cli import main
from scorehost.deploy.online_endpoint.rollout import Rollout, shifted
from scorehost.deploy.shared.dry_run import PlaceholderCredential
from scorehost.deploy.shared.registry import DockerCli
from scorehost.examples import TUTORIAL_SAMPLE
from tests.deploy.conftest import NAME, FakeDocker
from tests.deploy.fake_arm import KEYS, REGION, FakeArm

pytestmark = pytest.mark.deploy
IMAGE = "myacr.azurecr.io/scorehost@sha256:" + "b" * 64


def _run(capsys: pytest.CaptureFixture[str], *argv: str, docker: FakeDocker | None = None) -> Any:
    code = main(list(argv), docker=DockerCli(docker) if docker else None)
    captured = capsys.readouterr()
    return code, captured.out + (captured.err if code else "")


def _last_json(out: str) -> Any:
    """The last pretty-printed JSON document in `out` (one-line smoke results come before)."""
    lines = out.splitlines()
    start = max(i for i, line in enumerate(lines) if line == "{")
    return json.loads("\n".join(lines[start:]))


def _comparable(requests: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    """Method, URL and body. The dry run cannot know the workspace's region, nor what Azure adds
    to an endpoint (its id in `properties`, its identity's ids, its systemData), which the SDK
    sends back on a traffic update (systemData copied into `properties`: azure/ai/ml/entities/
    _endpoint/online_endpoint.py, OnlineEndpoint._from_rest_object)."""
    text = json.dumps(requests).replace("<workspace region>", REGION)
    comparable = []
    for request in json.loads(text):
        body = request["body"] or {}
        own = body.get("properties", {}).get("properties", {})
        for key in (
            "azureml.onlineendpointid",
            "AzureAsyncOperationUri",
            "createdBy",
            "createdAt",
            "lastModifiedAt",
        ):
            own.pop(key, None)
        for key in ("principalId", "tenantId"):
            body.get("identity", {}).pop(key, None)
        comparable.append((request["method"], request["url"].lower(), request["body"]))
    return comparable


def test_dry_run_prints_every_request_without_network(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    code, out = _run(
        capsys, "deploy", "--dry-run", "--image", IMAGE, "--workspace-config", str(workspace)
    )

    assert code == 0, out
    plan = json.loads(out)
    puts = [(r["method"], r["url"].split("?")[0].rsplit("/", 2)[-2]) for r in plan["requests"]]
    assert puts == [
        ("PUT", "versions"),
        ("PUT", "onlineEndpoints"),
        ("PUT", "deployments"),
        ("PUT", "autoscalesettings"),
        ("PUT", "onlineEndpoints"),
    ]
    environment, _, deployment, autoscale, traffic = (r["body"] for r in plan["requests"])
    assert environment["properties"]["image"] == IMAGE
    assert environment["properties"]["inferenceConfig"] == {
        "livenessRoute": {"path": "/health/live", "port": 5001},
        "readinessRoute": {"path": "/health/ready", "port": 5001},
        "scoringRoute": {"path": "/score", "port": 5001},
    }
    properties = deployment["properties"]
    assert properties["instanceType"] == "Standard_F4s_v2"
    assert deployment["sku"]["capacity"] == 2
    assert (
        properties["environmentVariables"]["SCOREHOST_WORKERS"] == "auto"
    )  # the CPU quota decides
    assert properties["environmentVariables"]["SCOREHOST_SCORING_TIMEOUT_MS"] == "59000"
    assert properties["requestSettings"]["requestTimeout"] == "PT1M"
    capacity = autoscale["properties"]["profiles"][0]["capacity"]
    assert capacity == {"minimum": "2", "maximum": "10", "default": "2"}
    assert traffic["properties"]["traffic"] == {"blue": 100}


def test_dry_run_on_a_fresh_checkout_plans_the_default_image(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _run(capsys, "deploy", "--dry-run", docker=FakeDocker(local_images=set()))

    assert code == 0, out
    plan = json.loads(out)["plan"]
    # every check first: the settings, the workspace, then what Azure has; only then the push
    assert plan[0] == "checked: settings, sample, workspace config.json, credentials"
    assert plan[1] == f"checked: endpoint {NAME} is new; deployment blue is free to create"
    assert plan[2].startswith("NOTE: scorehost:latest is not a local image yet")
    assert "docker tag/push scorehost:latest to <registry>/scorehost" in plan[3]
    environment = json.loads(out)["requests"][0]["body"]["properties"]
    assert environment["image"] == "<registry>/scorehost@sha256:<digest read back after push>"


def test_deploy_creates_everything_scales_and_smoke_tests_through_the_endpoint(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm
) -> None:
    argv = ("deploy", "--image", IMAGE, "--workspace-config", str(workspace))
    code, out = _run(capsys, *argv, "--sample", str(TUTORIAL_SAMPLE))

    assert code == 0, out
    status = _last_json(out)
    assert status["traffic"] == {"blue": 100}
    assert status["scoring_uri"] == arm.scoring_uri
    assert status["keys"] == ["prim…89", "seco…10"]
    assert '"answer": [0]' in out  # the sample went through the real server
    # What Azure received is exactly what the dry run printed
    code, dry = _run(capsys, *argv, "--dry-run")
    assert _comparable(json.loads(dry)["requests"]) == _comparable(
        [m for m in arm.mutations() if "/listkeys?" not in m["url"].lower()]  # smoke tests
    )


def test_a_new_image_rolls_out_blue_green_in_steps(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm
) -> None:
    arm.put_endpoint(NAME, {"blue": 100})

    code, out = _run(
        capsys,
        "deploy",
        "--image",
        IMAGE,
        "--deployment-name",
        "green",
        "--step-wait-s",
        "0",
        "--workspace-config",
        str(workspace),
    )

    assert code == 0, out
    traffic = [
        m["body"]["properties"]["traffic"]
        for m in arm.mutations()
        if m["method"] == "PUT" and m["url"].split("?")[0].endswith(NAME)
    ]
    assert traffic == [{"blue": 90, "green": 10}, {"blue": 50, "green": 50}, {"green": 100}]


def test_a_failed_smoke_test_puts_traffic_back(workspace: Path, arm: FakeArm) -> None:
    from scorehost.deploy.online_endpoint.azure import OnlineEndpoints
    from scorehost.deploy.online_endpoint.config import OnlineEndpointConfig
    from scorehost.deploy.shared.config import load_config
    from scorehost.deploy.shared.workspace import WorkspaceIds

    arm.put_endpoint(NAME, {"blue": 100})
    config = load_config(
        None,
        {"deployment_name": "green", "image": IMAGE, "step_wait_s": 0, "delete_on_rollback": True},
        OnlineEndpointConfig,
    )
    azure = OnlineEndpoints(WorkspaceIds.from_file(workspace), PlaceholderCredential())
    checks: list[str | None] = []

    def smoke(deployment: str | None) -> str | None:  # green breaks once it takes 50%
        checks.append(deployment)
        return "HTTP 500" if len(checks) == 4 else None

    rollout = Rollout(azure, config, smoke, wait=lambda _: None)
    assert rollout.run(IMAGE, rollout.check()) == 4

    traffic = [
        m["body"]["properties"]["traffic"]
        for m in arm.mutations()
        if m["method"] == "PUT" and m["url"].split("?")[0].endswith(NAME)
    ]
    assert traffic == [{"blue": 90, "green": 10}, {"blue": 50, "green": 50}, {"blue": 100}]
    deleted = [m["url"].split("?")[0] for m in arm.mutations() if m["method"] == "DELETE"]
    assert deleted[-1].endswith("/deployments/green")


def test_a_deployment_that_never_gets_ready_exits_3_with_its_logs(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm
) -> None:
    arm.failing.add("blue")

    code = main(["deploy", "--image", IMAGE, "--workspace-config", str(workspace)])

    assert code == 3
    err = capsys.readouterr().err
    assert "deployment blue failed" in err
    assert "the container did not become ready" in err
    assert "init() failed: FileNotFoundError" in err  # the container's own last lines


def test_redeploying_the_live_deployment_is_refused_with_the_way_out(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm
) -> None:
    arm.put_endpoint(NAME, {"blue": 100})

    code = main(["deploy", "--image", IMAGE, "--workspace-config", str(workspace)])

    assert code == 2
    assert "--deployment-name green" in capsys.readouterr().err


def test_status_traffic_test_logs_and_delete(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm
) -> None:
    ws = ("--workspace-config", str(workspace))
    assert main(["deploy", "--image", IMAGE, *ws]) == 0
    capsys.readouterr()

    assert main(["status", *ws]) == 0
    assert json.loads(capsys.readouterr().out)["deployments"][0]["name"] == "blue"
    assert main(["test", *ws, "--sample", str(TUTORIAL_SAMPLE)]) == 0
    assert '"answer": [0]' in capsys.readouterr().out
    assert main(["logs", "--deployment-name", "blue", *ws]) == 0
    assert "init() failed" in capsys.readouterr().out
    assert main(["traffic", "blue=60", "other=30", *ws]) == 2
    assert "add up to 90%" in capsys.readouterr().err
    assert main(["delete", "--deployment-name", "blue", *ws]) == 2
    assert "blue still serves 100%" in capsys.readouterr().err
    assert main(["delete", *ws]) == 0
    deleted = [
        m["url"].split("?")[0].rsplit("/", 1)[-1]
        for m in arm.mutations()
        if m["method"] == "DELETE"
    ]
    assert deleted == [f"{NAME}-blue-autoscale", NAME]
    assert KEYS["primaryKey"] not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--endpoint-name", "9lives"], "endpoint_name"),
        (["--deployment-name", "x"], "deployment_name"),
        (["--instance-type", "F4"], "instance_type"),
        (["--instance-type", "Standard_DS3_v9"], "nearest: Standard_DS3_v2"),
        (["--instance-type", "Standard_D4s_v3"], "reference-managed-online-endpoints-vm-sku-list"),
        (["--instance-count", "0"], "instance_count"),
        (["--request-timeout-ms", "500000"], "request_timeout_ms"),
        (["--traffic-steps", "50,10,100"], "traffic_steps"),
        (["--traffic-steps", "10,50"], "traffic_steps"),
        (["--autoscale-min", "5", "--autoscale-max", "3"], "autoscale_min"),
        (["--instance-count", "20"], "instance_count"),
        (["--scale-in-cpu-percent", "80"], "scale_in_cpu_percent"),
        (["--image", "scorehost@sha256:abc"], "image"),
        (["--registry", "https://myacr"], "registry"),
        (["--environment-variables", "SCOREHOST_PORT=80"], "environment_variables"),
    ],
)
def test_every_invalid_setting_exits_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], argv: list[str], field: str
) -> None:
    base = ["deploy", "--dry-run"] + ([] if "--image" in argv else ["--image", IMAGE])
    assert main([*base, *argv]) == 2
    assert field in capsys.readouterr().err


def test_a_local_image_is_pushed_and_deployed_by_digest(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm
) -> None:
    docker = FakeDocker(digest_ref="myacr.azurecr.io/scorehost@sha256:" + "c" * 64)

    code, out = _run(
        capsys,
        "deploy",
        "--registry",
        "myacr.azurecr.io",
        "--workspace-config",
        str(workspace),
        docker=docker,
    )

    assert code == 0, out
    assert ["docker", "push", "myacr.azurecr.io/scorehost:latest"] in [a for a, _ in docker.calls]
    assert not any(argv[1] == "login" for argv, _ in docker.calls)  # az acr login's session
    environment = arm.mutations()[0]["body"]
    assert environment["properties"]["image"] == docker.digest_ref


def test_a_deployment_name_that_takes_traffic_stops_before_the_push(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm
) -> None:
    arm.put_endpoint(NAME, {"blue": 100})
    docker = FakeDocker(digest_ref="myacr.azurecr.io/scorehost@sha256:" + "c" * 64)
    argv = ["deploy", "--registry", "myacr.azurecr.io", "--workspace-config", str(workspace)]

    code = main(argv, docker=DockerCli(docker))

    assert code == 2
    assert "deployment_name: blue serves 100%" in capsys.readouterr().err
    assert not [argv for argv, _ in docker.calls if argv[1] in ("tag", "push")]
    assert arm.mutations() == []  # no environment registered, nothing created


def test_a_workspace_that_is_not_there_stops_before_the_push(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    docker = FakeDocker(digest_ref="myacr.azurecr.io/scorehost@sha256:" + "c" * 64)
    argv = ["deploy", "--registry", "myacr.azurecr.io"]

    code = main(
        [*argv, "--workspace-config", str(tmp_path / "config.json")], docker=DockerCli(docker)
    )

    assert code == 2
    assert "config.json" in capsys.readouterr().err
    assert not [argv for argv, _ in docker.calls if argv[1] in ("tag", "push")]


def test_traffic_is_shared_as_before_when_several_deployments_serve() -> None:
    assert shifted({"blue": 70, "green": 30}, "red", 10) == {"blue": 63, "green": 27, "red": 10}
    assert shifted({"a": 1, "b": 1, "c": 1}, "d", 1) == {"a": 33, "b": 33, "c": 33, "d": 1}
    assert sum(shifted({"a": 33, "b": 67}, "n", 55).values()) == 100


def test_a_local_image_without_a_registry_exits_2_naming_registry(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm
) -> None:
    code = main(["deploy", "--workspace-config", str(workspace)], docker=DockerCli(FakeDocker()))

    assert code == 2
    assert "registry: scorehost:latest is a local image; give --registry" in capsys.readouterr().err
    assert arm.mutations() == []


def test_dry_run_of_a_rollout_onto_a_live_endpoint_plans_each_traffic_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        "deploy",
        "--dry-run",
        "--image",
        IMAGE,
        "--assume-live",
        "blue",
        "--deployment-name",
        "green",
    ]
    code, out = _run(capsys, *argv)

    assert code == 0, out
    plan = json.loads(out)
    traffic = [
        r["body"]["properties"]["traffic"]
        for r in plan["requests"]
        if r["url"].split("?")[0].endswith(f"/onlineEndpoints/{NAME}")
    ]
    assert traffic == [{"blue": 90, "green": 10}, {"blue": 50, "green": 50}, {"green": 100}]
    assert plan["plan"][-1].startswith("blue now takes no traffic")


@pytest.mark.parametrize(
    ("setup", "timeout", "code", "message"),
    [
        ({"polls": 3}, "30", 0, None),
        ({"polls": 2, "failing": {"blue"}}, "30", 3, "deployment blue failed"),
        ({"stalled": {"blue"}}, "2", 3, "deployment blue did not finish within 2 s"),
    ],
)
def test_operations_that_take_several_polls_stall_or_fail_half_way(
    capsys: pytest.CaptureFixture[str],
    workspace: Path,
    arm: FakeArm,
    setup: dict[str, Any],
    code: int,
    message: str | None,
    timeout: str,
) -> None:
    for name, value in setup.items():
        setattr(arm, name, value)
    argv = (
        "deploy",
        "--image",
        IMAGE,
        "--workspace-config",
        str(workspace),
        "--timeout-s",
        timeout,
    )
    result, out = _run(capsys, *argv)
    assert result == code, out
    if message is not None:
        assert message in out
        assert "--- last container log lines ---" in out
    if arm.stalled:  # the SDK's poller thread polls on after the timeout: let it finish here
        _finish_operations(arm)


def _finish_operations(arm: FakeArm, deadline_s: float = 10) -> None:
    """End every operation, and wait until a poller has been told so (none left polling to
    reach the next test's fake)."""
    for steps in arm.operations.values():
        steps[:] = ["Succeeded"]
    seen = len(arm.received)
    deadline = time.monotonic() + deadline_s
    while len(arm.received) == seen:
        assert time.monotonic() < deadline, "the stalled operation was never polled again"
        time.sleep(0.05)
