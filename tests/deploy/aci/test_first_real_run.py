"""What a review against the SDKs' own source found would fail the first real Azure ML v1
deployment, each tried as a user would: one line naming the field and the fix, exit 2, before
anything reaches Azure; or, where only Azure can tell, a clear exit 3."""

import functools
import json
import logging
import os
from pathlib import Path

import pytest

from scorehost.deploy.azureml_v1 import cli
from scorehost.deploy.shared.registry import DockerCli
from tests.deploy.conftest import DIGEST_REF, NAME, FakeDocker
from tests.deploy.fake_azure import REGISTRY, FakeAzure
from tests.paths import TUTORIAL_SCRIPT

pytestmark = pytest.mark.deploy
aci = functools.partial(cli.main, "aci")
aks = functools.partial(cli.main, "aks")


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_the_registry_login_server_comes_from_the_username_as_the_sdk_builds_it(
    fake_azure: FakeAzure, fake_docker: FakeDocker, workspace_config: Path
) -> None:
    # listKeys' `location` is null, as in Microsoft's example: the old code stopped here.
    argv = ["deploy", "--workspace-config", str(workspace_config), "--poll-s", "0"]
    assert aci(argv, docker=DockerCli(fake_docker)) == 0
    logins = [argv for argv, _ in fake_docker.calls if argv[1] == "login"]
    assert logins == [["docker", "login", REGISTRY, "--username", "wsregistry", "--password-stdin"]]


@pytest.mark.parametrize("timeout", ["1000", "1999"])
def test_an_azure_timeout_that_leaves_scorehost_no_time_is_refused(
    timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert aks(["deploy", "--dry-run", "--image", DIGEST_REF, "--scoring-timeout-ms", timeout]) == 2
    error = _one_line_error(capsys)
    assert f"scoring_timeout_ms = {timeout}: {timeout} ms leaves scorehost no time" in error
    assert "at least 2000 ms" in error


def test_the_container_gets_a_timeout_it_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    assert aks(["deploy", "--dry-run", "--image", DIGEST_REF, "--scoring-timeout-ms", "2000"]) == 0
    body = json.loads(capsys.readouterr().out)["request_body"]
    variables = body["environmentImageRequest"]["environment"]["environmentVariables"]
    assert variables["SCOREHOST_SCORING_TIMEOUT_MS"] == "1000"


@pytest.mark.parametrize("image", ["x@sha256:abc", "", "  "])
@pytest.mark.parametrize("target", [aci, aks])
def test_an_image_that_is_neither_local_nor_a_digest_is_refused(
    target: functools.partial[int], image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert target(["deploy", "--dry-run", "--image", image]) == 2
    assert "image = " in _one_line_error(capsys)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"subscription_id": "00000000-0000-0000-0000-000000000001", "workspace_name": "w"}',
            "no resource_group",
        ),
        ("{not json", "not readable JSON"),
        (
            '{"subscription_id": "not a guid", "resource_group": "g", "workspace_name": "w"}',
            "subscription_id: 'not a guid' is not a subscription id",
        ),
    ],
)
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_broken_workspace_config_names_the_file_in_dry_and_real_runs(
    tmp_path: Path,
    content: str,
    message: str,
    dry_run: bool,
    fake_docker: FakeDocker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "config.json"
    config.write_text(content)
    argv = ["deploy", "--workspace-config", str(config), *(["--dry-run"] if dry_run else [])]
    assert aci(argv, docker=DockerCli(fake_docker), environ={}) == 2
    error = _one_line_error(capsys)
    assert f"workspace config {config}: {message}" in error
    assert fake_docker.calls == [] or dry_run  # nothing pushed on a real run


def test_a_missing_workspace_config_is_a_placeholder_only_in_the_dry_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fake_docker: FakeDocker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert aci(["deploy", "--dry-run"], docker=DockerCli(fake_docker)) == 0
    capsys.readouterr()
    assert aci(["deploy"], docker=DockerCli(fake_docker), environ={}) == 2
    assert "workspace config: config.json or .azureml/config.json" in _one_line_error(capsys)


def test_an_entry_script_azure_ml_cannot_import_is_refused_with_a_name_to_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "score-v2.py"
    script.write_text(TUTORIAL_SCRIPT.read_text())
    assert aci(["deploy", "--dry-run", "--image", DIGEST_REF, "--entry-script", str(script)]) == 2
    error = _one_line_error(capsys)
    assert "score-v2.py as a Python module" in error and "score_v2.py" in error


def test_commands_on_a_running_service_work_from_any_folder(
    fake_azure: FakeAzure,
    fake_docker: FakeDocker,
    workspace_config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = ["--workspace-config", str(workspace_config)]
    assert aci(["deploy", *config, "--poll-s", "0"], docker=DockerCli(fake_docker)) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    capsys.readouterr()
    assert aci(["status", *config]) == 2  # this folder never deployed: which service?
    assert "no name given" in capsys.readouterr().err
    assert aci(["status", *config, "--service-name", NAME]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "Healthy"
    # and the default settings, shipped with the package, still find the tutorial's script
    assert aci(["deploy", "--dry-run", "--image", DIGEST_REF]) == 0


def test_a_private_registry_other_than_the_workspaces(
    fake_azure: FakeAzure,
    workspace_config: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    image = "private.example.com/team/scorehost@sha256:" + "c" * 64
    argv = ["deploy", "--image", image, "--registry-username", "puller"]
    assert aci([*argv, "--dry-run"]) == 0
    planned = json.loads(capsys.readouterr().out)["request_body"]
    registry = planned["environmentImageRequest"]["environment"]["docker"]["baseImageRegistry"]
    assert registry["address"] == "private.example.com"
    assert registry["username"] == "puller"
    assert registry["password"] == "<secure: SCOREHOST_REGISTRY_PASSWORD>"

    real = [*argv, "--workspace-config", str(workspace_config), "--poll-s", "0"]
    assert aci(real, environ={}) == 2
    assert "set SCOREHOST_REGISTRY_PASSWORD" in _one_line_error(capsys)
    assert aci(real, environ={"SCOREHOST_REGISTRY_PASSWORD": "pull-secret-1"}) == 0
    [sent] = fake_azure.deploy_payloads
    sent_registry = sent["environmentImageRequest"]["environment"]["docker"]["baseImageRegistry"]
    assert sent_registry["password"] == "pull-secret-1"


@pytest.mark.parametrize(
    ("polls", "final", "code", "message"),
    [
        (3, "Succeeded", 0, None),
        (3, "Failed", 3, "ended Failed"),
        (10_000, "Succeeded", 3, "did not finish within 1 s: Azure still reports it Running"),
    ],
)
def test_long_deployments_report_how_they_ended(
    fake_azure: FakeAzure,
    fake_docker: FakeDocker,
    workspace_config: Path,
    capsys: pytest.CaptureFixture[str],
    polls: int,
    final: str,
    code: int,
    message: str | None,
) -> None:
    fake_azure.polls, fake_azure.final_state = polls, final
    argv = ["deploy", "--workspace-config", str(workspace_config), "--timeout-s", "1"]
    assert aci([*argv, "--poll-s", "0.01"], docker=DockerCli(fake_docker)) == code
    captured = capsys.readouterr()
    if message is None:
        assert json.loads(captured.out)["serves"] == {
            "entry_script": "/var/azureml-app/mnist/score.py",
            "model_dir": "/opt/scorehost/model",
        }
        assert fake_azure.operation_polls == polls
    else:
        assert message in captured.err
        assert "--- last container log lines ---" in captured.err


def test_dry_runs_print_no_sdk_warnings_and_list_what_only_azure_can_confirm(
    fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert aci(["deploy", "--dry-run"], docker=DockerCli(fake_docker)) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    preflight = json.loads(captured.out)["preflight"]
    assumptions = " ".join(check["assumption"] for check in preflight)
    assert "AZUREML_ENTRY_SCRIPT relative to /var/azureml-app" in assumptions
    assert "admin user enabled" in assumptions
    assert all(check["checked"] for check in preflight)
    assert os.environ.get("SCOREHOST_REGISTRY_PASSWORD") is None


def test_the_online_endpoints_timeout_is_checked_the_same_way(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from scorehost.deploy.online_endpoint.cli import main as online

    assert (
        online(["deploy", "--dry-run", "--image", DIGEST_REF, "--request-timeout-ms", "1000"]) == 2
    )
    assert "request_timeout_ms = 1000: 1000 ms leaves scorehost no time" in (
        _one_line_error(capsys)
    )


def test_a_subscription_id_that_is_not_a_guid(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scorehost.deploy.container_instance.cli import main as plain_aci

    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "not a guid")
    assert plain_aci(["deploy", "--dry-run", "--image", DIGEST_REF]) == 2
    assert "subscription_id (or AZURE_SUBSCRIPTION_ID): 'not a guid' is not" in (
        _one_line_error(capsys)
    )
