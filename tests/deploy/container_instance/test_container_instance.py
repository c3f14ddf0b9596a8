"""`scorehost deploy container_instance`: a user runs the tested image alone on ACI, with
scorehost's own probes and API keys. The real azure-mgmt-containerinstance runs against an HTTP
fake of Azure Resource Manager; the smoke test scores through a real scorehost."""

import json
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from scorehost.deploy.container_instance.cli import main
from scorehost.deploy.shared.registry import DockerCli
from scorehost.examples import TUTORIAL_SAMPLE
from tests.deploy.conftest import NAME, FakeDocker
from tests.deploy.fake_arm import FakeArm
from tests.servers import ServerProcess

pytestmark = pytest.mark.deploy
IMAGE = "myacr.azurecr.io/scorehost@sha256:" + "d" * 64


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, _in_a_users_project: Path) -> Path:
    """A clean shell in the user's project folder: no keys, a subscription id."""
    for name in (
        "SCOREHOST_PRIMARY_KEY",
        "SCOREHOST_SECONDARY_KEY",
        "SCOREHOST_REGISTRY_PASSWORD",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-00000000000a")
    return _in_a_users_project


def _port(server: ServerProcess) -> str:
    return server.url.rsplit(":", 1)[-1]


def _environment(body: dict[str, Any]) -> dict[str, Any]:
    container = body["properties"]["containers"][0]["properties"]
    return {
        v["name"]: v.get("value", v.get("secureValue")) for v in container["environmentVariables"]
    }


def test_dry_run_prints_the_exact_request_without_network(
    capsys: pytest.CaptureFixture[str], shell: Path
) -> None:
    code = main(["deploy", "--dry-run", "--image", IMAGE, "--cpu-cores", "2"])

    assert code == 0
    (request,) = json.loads(capsys.readouterr().out)["requests"]
    assert request["method"] == "PUT"
    assert f"/providers/Microsoft.ContainerInstance/containerGroups/{NAME}" in request["url"]
    container = request["body"]["properties"]["containers"][0]["properties"]
    assert container["image"] == IMAGE
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["resources"]["requests"] == {"cpu": 2.0, "memoryInGB": 1.5}
    environment = _environment(request["body"])
    assert environment["SCOREHOST_WORKERS"] == "2"
    assert environment["SCOREHOST_PRIMARY_KEY"] == "<secure: primary key>"
    assert "APPLICATIONINSIGHTS_CONNECTION_STRING" not in environment
    assert not list((shell / ".scorehost").glob("*.keys.json"))  # a dry run creates no keys


def test_application_insights_goes_from_the_shell_as_a_secure_value(
    capsys: pytest.CaptureFixture[str], shell: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "InstrumentationKey=00000000-0000-4000-8000-000000000001"
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING", secret)

    assert main(["deploy", "--dry-run", "--image", IMAGE]) == 0

    out = capsys.readouterr().out
    (request,) = json.loads(out)["requests"]
    container = request["body"]["properties"]["containers"][0]["properties"]
    (variable,) = [
        v
        for v in container["environmentVariables"]
        if v["name"] == "APPLICATIONINSIGHTS_CONNECTION_STRING"
    ]
    assert variable == {
        "name": "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "secureValue": "<secure: APPLICATIONINSIGHTS_CONNECTION_STRING>",
    }
    assert secret not in out


def test_deploy_generates_keys_runs_the_digest_and_smoke_tests_with_a_key(
    capsys: pytest.CaptureFixture[str], shell: Path, arm: FakeArm, tutorial: ServerProcess
) -> None:
    argv = ["deploy", "--image", IMAGE, "--port", _port(tutorial)]
    assert main([*argv, "--sample", str(TUTORIAL_SAMPLE)]) == 0

    out = capsys.readouterr().out
    assert '"answer": [0]' in out  # scored through the group's address
    keys_file = shell / ".scorehost" / f"{NAME}.keys.json"
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    keys = json.loads(keys_file.read_text())
    sent = arm.mutations()[0]["body"]
    assert _environment(sent)["SCOREHOST_PRIMARY_KEY"] == keys["primary"]
    assert keys["primary"] not in out
    # The dry run printed that very request, but for the secrets it cannot know
    main(["deploy", "--dry-run", *argv[1:]])
    (planned,) = json.loads(capsys.readouterr().out)["requests"]
    text = json.dumps(sent)
    for placeholder, secret in zip(
        ("<secure: primary key>", "<secure: secondary key>"),
        (keys["primary"], keys["secondary"]),
        strict=True,
    ):
        text = text.replace(secret, placeholder)
    assert planned["body"] == json.loads(text)
    assert planned["url"] == arm.mutations()[0]["url"]


def test_keys_from_the_shell_are_used_and_a_private_registry_gets_its_password(
    shell: Path, arm: FakeArm, tutorial: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCOREHOST_PRIMARY_KEY", "my-primary-key-123456")
    monkeypatch.setenv("SCOREHOST_SECONDARY_KEY", "my-secondary-key-123456")
    monkeypatch.setenv("SCOREHOST_REGISTRY_PASSWORD", "registry-secret")

    argv = ["deploy", "--image", IMAGE, "--port", _port(tutorial), "--registry-username", "myacr"]
    assert main(argv) == 0

    body = arm.mutations()[0]["body"]
    assert _environment(body)["SCOREHOST_PRIMARY_KEY"] == "my-primary-key-123456"
    assert body["properties"]["imageRegistryCredentials"] == [
        {"server": "myacr.azurecr.io", "username": "myacr", "password": "registry-secret"}
    ]
    assert not list((shell / ".scorehost").glob("*.keys.json"))


def test_a_group_that_fails_exits_3_with_the_containers_last_lines(
    capsys: pytest.CaptureFixture[str], shell: Path, arm: FakeArm
) -> None:
    arm.failing.add(NAME)

    assert main(["deploy", "--image", IMAGE]) == 3

    err = capsys.readouterr().err
    assert f"container group {NAME} failed" in err
    assert "init() failed: FileNotFoundError" in err


def test_status_logs_test_and_delete(
    capsys: pytest.CaptureFixture[str], shell: Path, arm: FakeArm, tutorial: ServerProcess
) -> None:
    port = ["--port", _port(tutorial)]
    assert main(["deploy", "--image", IMAGE, *port]) == 0
    capsys.readouterr()

    assert main(["status", *port]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["running"] == "Running"
    assert status["scoring_uri"] == f"http://localhost:{port[1]}/score"
    assert main(["logs"]) == 0
    assert "init() failed" in capsys.readouterr().out
    assert main(["test", *port]) == 0
    assert main(["delete"]) == 0
    assert arm.mutations()[-1]["method"] == "DELETE"


def test_a_keys_file_named_in_the_settings_file_is_found_from_any_folder(
    capsys: pytest.CaptureFixture[str],
    shell: Path,
    arm: FakeArm,
    tutorial: ServerProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = shell / "deploy" / "aci.toml"
    settings.parent.mkdir()
    settings.write_text(f'name = "{NAME}"\nkeys_file = "secrets/keys.json"\n')
    argv = ["--config", str(settings), "--port", _port(tutorial)]
    assert main(["deploy", "--image", IMAGE, *argv]) == 0
    written = shell / "deploy" / "secrets" / "keys.json"  # beside the settings file
    assert json.loads(written.read_text())["primary"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    assert main(["test", *argv, "--sample", str(TUTORIAL_SAMPLE)]) == 0  # the same key
    assert main(["deploy", "--image", IMAGE, *argv]) == 0
    assert not (elsewhere / "secrets").exists()  # no second pair of keys
    keys = json.loads(written.read_text())["primary"]
    assert _environment(arm.mutations()[-1]["body"])["SCOREHOST_PRIMARY_KEY"] == keys
    capsys.readouterr()


def test_a_delete_that_azure_has_not_finished_is_not_reported_done(
    capsys: pytest.CaptureFixture[str], shell: Path, arm: FakeArm, tutorial: ServerProcess
) -> None:
    assert main(["deploy", "--image", IMAGE, "--port", _port(tutorial)]) == 0
    arm.stalled.add(NAME)

    assert main(["delete", "--timeout-s", "1"]) == 3

    captured = capsys.readouterr()
    assert f"deleting container group {NAME} did not finish within 1 s" in captured.err
    assert "deleted" not in captured.out
    # Azure finishes after all: the SDK's poller thread sees it and ends before the next test
    arm.stalled.clear()
    for steps in arm.operations.values():
        steps[:] = ["Succeeded"]
    deadline = time.monotonic() + 30
    while any(t.name.startswith("LROPoller") for t in threading.enumerate()):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_local_image_is_pushed_then_run_by_digest(
    shell: Path, arm: FakeArm, tutorial: ServerProcess
) -> None:
    docker = FakeDocker(digest_ref="myacr.azurecr.io/scorehost@sha256:" + "e" * 64)
    argv = ["deploy", "--registry", "myacr.azurecr.io", "--port", _port(tutorial)]

    assert main(argv, docker=DockerCli(docker)) == 0

    container = arm.mutations()[0]["body"]["properties"]["containers"][0]["properties"]
    assert container["image"] == docker.digest_ref


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--name", "Bad_Name"], "name"),
        (["--cpu-cores", "8"], "cpu_cores"),
        (["--memory-gb", "32"], "memory_gb"),
        (["--port", "80"], "port"),
        (["--location", "West Europe"], "location"),
        (["--dns-name-label", "ab"], "dns_name_label"),
        (["--resource-group", "bad/group"], "resource_group"),
        (["--environment-variables", "SCOREHOST_PRIMARY_KEY=x"], "environment_variables"),
        (["--image", "myacr.azurecr.io/scorehost@sha256:123"], "image"),
    ],
)
def test_every_invalid_setting_exits_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], shell: Path, argv: list[str], field: str
) -> None:
    assert main(["deploy", "--dry-run", *argv]) == 2
    assert field in capsys.readouterr().err


def test_missing_credentials_exit_2_before_anything_is_sent(
    capsys: pytest.CaptureFixture[str], shell: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    assert main(["deploy", "--image", IMAGE]) == 2
    assert "subscription_id" in capsys.readouterr().err

    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-00000000000a")
    assert main(["deploy", "--image", IMAGE, "--registry-username", "myacr"]) == 2
    assert "SCOREHOST_REGISTRY_PASSWORD" in capsys.readouterr().err
    assert main(["deploy", "--image", IMAGE, "--auth", "sp"]) == 2
    assert "AZURE_CLIENT_SECRET" in capsys.readouterr().err


def test_credentials_that_do_not_work_stop_before_any_push_or_key_file(
    capsys: pytest.CaptureFixture[str], shell: Path, arm: FakeArm, fake_docker: FakeDocker
) -> None:
    arm.denied = True
    argv = ["deploy", "--registry", "myacr.azurecr.io"]
    assert main(argv, docker=DockerCli(fake_docker)) == 3
    assert "cannot use resource group scorehost: " in capsys.readouterr().err
    assert "AuthorizationFailed" in json.dumps(arm.received) or arm.received
    assert [call for call, _ in fake_docker.calls if call[1] in ("push", "login")] == []
    assert not list(
        (shell / ".scorehost").glob("*.keys.json")
    )  # no keys written for a group never created
