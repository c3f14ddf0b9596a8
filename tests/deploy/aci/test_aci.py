"""`scorehost deploy aci`: dry run, a full deploy through the real SDK, failures, commands."""

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from scorehost.deploy.azureml_v1 import cli
from scorehost.deploy.shared.registry import DockerCli
from scorehost.examples import TUTORIAL_SAMPLE
from tests.deploy.conftest import DIGEST_REF, NAME, FakeDocker, comparable_v1_body
from tests.deploy.fake_azure import REGISTRY, REGISTRY_PASSWORD, FakeAzure
from tests.servers import ServerProcess, free_port

main = functools.partial(cli.main, "aci")

pytestmark = pytest.mark.deploy


def _json_out(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def test_dry_run_prints_the_whole_plan_without_network(
    fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", "--dry-run"], docker=DockerCli(fake_docker)) == 0

    output = _json_out(capsys)
    body = output["request_body"]
    assert body["name"] == NAME
    assert body["computeType"] == "ACI"
    assert body["containerResourceRequirements"] == {"cpu": 1.0, "memoryInGB": 1.0}
    assert body["kvTags"] == {}
    assert body["description"] == "Deployed by scorehost"
    environment = body["environmentImageRequest"]["environment"]
    assert environment["docker"]["baseImage"].endswith(
        "/scorehost@sha256:<digest read back after push>"
    )
    assert environment["python"]["userManagedDependencies"] is True
    assert environment["inferencingStackVersion"] is None
    variables = environment["environmentVariables"]
    assert variables["AZUREML_ENTRY_SCRIPT"] == "mnist/score.py"  # relative to /var/azureml-app
    # scorehost's own name: it wins over any AZUREML_MODEL_DIR Azure ML sets in its image
    assert variables["SCOREHOST_MODEL_DIR"] == "/opt/scorehost/model"
    assert "EXAMPLE_ENV_VAR" not in variables  # the SDK's default, replaced
    assert any("docker tag/push scorehost:latest" in step for step in output["plan"])
    assert [argv for argv, _ in fake_docker.calls] == [
        ["docker", "image", "inspect", "scorehost:latest"]
    ]


def test_dry_run_options_reach_the_body(
    fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = tmp_path / "model.pkl"
    model.write_bytes(b"model")
    code = main(
        [
            "deploy",
            "--dry-run",
            "--image",
            DIGEST_REF,
            "--cpu-cores",
            "2",
            "--memory-gb",
            "3.5",
            "--location",
            "westeurope",
            "--dns-name-label",
            "my-mnist",
            "--auth-enabled",
            "--enable-app-insights",
            "--tag",
            "team=ml",
            "--description",
            "d",
            "--azure-inference-stack",
            "--model-file",
            str(model),
        ],
        docker=DockerCli(fake_docker),
    )
    assert code == 0
    body = _json_out(capsys)["request_body"]
    assert body["containerResourceRequirements"] == {"cpu": 2.0, "memoryInGB": 3.5}
    assert (body["location"], body["dnsNameLabel"], body["authEnabled"]) == (
        "westeurope",
        "my-mnist",
        True,
    )
    assert body["kvTags"] == {"team": "ml"}
    assert body["appInsightsEnabled"] is True  # Azure ML then sets AML_APP_INSIGHTS_*
    request = body["environmentImageRequest"]
    assert request["environment"]["docker"]["baseImage"] == DIGEST_REF
    assert request["environment"]["inferencingStackVersion"] == "latest"
    variables = request["environment"]["environmentVariables"]
    assert "SCOREHOST_MODEL_DIR" not in variables
    assert variables["SCOREHOST_RUNIT"] == "off"  # Azure ML's server takes 5001, not scorehost
    assert request["modelIds"] == ["model:<version after registering>"]  # the file's name
    assert fake_docker.calls == []  # a pinned digest needs no local image


def test_deploy_pushes_by_digest_and_sends_what_the_dry_run_showed(
    fake_azure: FakeAzure,
    fake_docker: FakeDocker,
    workspace_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["deploy", "--dry-run", "--image", DIGEST_REF], docker=DockerCli(fake_docker)) == 0
    planned = _json_out(capsys)["request_body"]

    code = main(
        ["deploy", "--workspace-config", str(workspace_config), "--poll-s", "0"],
        docker=DockerCli(fake_docker),
    )

    assert code == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["state"] == "Healthy"
    assert result["scoring_uri"] == f"http://{NAME}.eastus.azurecontainer.io/score"
    assert f"{NAME}: Succeeded" in captured.err
    [sent] = fake_azure.deploy_payloads
    assert comparable_v1_body(sent) == comparable_v1_body(planned)
    assert fake_azure.uploads  # the entry script's folder was uploaded to blob storage


def _pushes(docker: FakeDocker) -> list[list[str]]:
    return [argv for argv, _ in docker.calls if argv[1] in ("tag", "push")]


def test_an_existing_service_without_overwrite_stops_before_the_push(
    fake_azure: FakeAzure,
    fake_docker: FakeDocker,
    workspace_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deploy = ["deploy", "--workspace-config", str(workspace_config), "--poll-s", "0"]
    assert main(deploy, docker=DockerCli(fake_docker)) == 0
    capsys.readouterr()
    again = FakeDocker()

    assert main([*deploy, "--no-overwrite"], docker=DockerCli(again)) == 2

    assert f"service_name: {NAME} already exists and overwrite is off" in capsys.readouterr().err
    assert _pushes(again) == []
    assert len(fake_azure.deploy_payloads) == 1


def test_the_plan_checks_before_it_pushes(
    fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", "--dry-run", "--no-overwrite"], docker=DockerCli(fake_docker)) == 0
    plan = _json_out(capsys)["plan"]
    check = plan.index(
        f"check: ACI needs no cluster; no service {NAME} exists yet (overwrite is off)"
    )
    push = next(i for i, step in enumerate(plan) if step.startswith("docker tag/push"))
    assert (
        plan.index("load the workspace from config.json with explicit credentials") < check < push
    )


def test_registry_password_goes_to_docker_on_stdin_only(
    fake_azure: FakeAzure,
    fake_docker: FakeDocker,
    workspace_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(
        ["deploy", "--workspace-config", str(workspace_config), "--poll-s", "0"],
        docker=DockerCli(fake_docker),
    )

    captured = capsys.readouterr()
    logins = [(argv, stdin) for argv, stdin in fake_docker.calls if argv[1] == "login"]
    assert logins == [
        (
            ["docker", "login", REGISTRY, "--username", "wsregistry", "--password-stdin"],
            REGISTRY_PASSWORD,
        )
    ]
    assert all(REGISTRY_PASSWORD not in " ".join(argv) for argv, _ in fake_docker.calls)
    assert REGISTRY_PASSWORD not in captured.out + captured.err
    sent = json.dumps(fake_azure.deploy_payloads)
    assert REGISTRY_PASSWORD not in sent


def test_failed_deployment_exits_3_with_azure_error_and_container_logs(
    fake_azure: FakeAzure,
    fake_docker: FakeDocker,
    workspace_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_azure.final_state = "Failed"

    code = main(
        ["deploy", "--workspace-config", str(workspace_config), "--poll-s", "0"],
        docker=DockerCli(fake_docker),
    )

    assert code == 3
    error = capsys.readouterr().err
    assert "ended Failed" in error
    assert "the container did not become healthy" in error
    assert FakeAzure.LOGS in error


def test_push_failure_exits_3_with_dockers_reason(
    fake_azure: FakeAzure, workspace_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docker = FakeDocker(fail_push=True)
    code = main(["deploy", "--workspace-config", str(workspace_config)], docker=DockerCli(docker))
    assert code == 3
    assert "docker push failed: denied: requested access is denied" in capsys.readouterr().err
    assert fake_azure.deploy_payloads == []


def test_an_image_never_built_is_named_in_the_plan_and_refused_by_deploy(
    fake_azure: FakeAzure, workspace_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docker = DockerCli(FakeDocker(local_images=set()))  # a fresh checkout: no `make image` yet
    assert main(["deploy", "--dry-run"], docker=docker) == 0
    assert "scorehost:latest is not a local image yet" in capsys.readouterr().out

    code = main(["deploy", "--workspace-config", str(workspace_config)], docker=docker)
    assert code == 2
    assert "image: scorehost:latest is not a local image" in capsys.readouterr().err
    assert fake_azure.deploy_payloads == []


def test_status_masks_keys_and_delete_removes_the_service(
    fake_azure: FakeAzure,
    fake_docker: FakeDocker,
    workspace_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = ["--workspace-config", str(workspace_config)]
    main(["deploy", *config, "--auth-enabled", "--poll-s", "0"], docker=DockerCli(fake_docker))
    capsys.readouterr()

    assert main(["status", *config]) == 0
    status = _json_out(capsys)
    assert status["keys"] == ["prim…89", "seco…10"]
    assert main(["logs", *config, "--lines", "10"]) == 0
    assert "Serving /var/azureml-app/mnist/score.py" in capsys.readouterr().out
    assert main(["delete", *config]) == 0
    assert fake_azure.deleted == [NAME]


def test_smoke_test_scores_the_sample_through_the_scoring_uri(
    fake_azure: FakeAzure,
    fake_docker: FakeDocker,
    workspace_config: Path,
    tutorial: ServerProcess,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_azure.scoring_uri = f"{tutorial.url}/score"  # a real scorehost stands in for ACI
    config = ["--workspace-config", str(workspace_config)]
    main(["deploy", *config, "--poll-s", "0"], docker=DockerCli(fake_docker))
    capsys.readouterr()

    assert main(["test", *config, "--sample", str(TUTORIAL_SAMPLE)]) == 0
    assert _json_out(capsys)["answer"] == [0]

    fake_azure.scoring_uri = f"http://127.0.0.1:{free_port()}/score"
    assert main(["test", *config, "--sample", str(TUTORIAL_SAMPLE)]) == 4
    assert "smoke test failed: cannot reach" in capsys.readouterr().err


def test_package_asks_azure_ml_about_the_image_as_deployed(
    fake_azure: FakeAzure,
    fake_docker: FakeDocker,
    workspace_config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["package", "--workspace-config", str(workspace_config), "--out", str(tmp_path)]
    assert main(args, docker=DockerCli(fake_docker)) == 0
    # What we sent: the image pushed and referenced by digest, as deploy would.
    [request] = fake_azure.package_payloads
    assert request["packageType"] == "DockerBuildContext"
    assert request["imageRequest"]["environment"]["docker"]["baseImage"] == DIGEST_REF
    # What Azure ML answered is shown as it came, and saved.
    dockerfile = capsys.readouterr().out
    assert FakeAzure.PACKAGE_DOCKERFILE in dockerfile
    assert (tmp_path / "Dockerfile").read_text() == FakeAzure.PACKAGE_DOCKERFILE


def test_package_of_an_image_already_pushed(
    fake_azure: FakeAzure, workspace_config: Path, tmp_path: Path
) -> None:
    args = ["package", "--image", DIGEST_REF, "--workspace-config", str(workspace_config)]
    assert main([*args, "--out", str(tmp_path)]) == 0
    [request] = fake_azure.package_payloads
    assert request["imageRequest"]["environment"]["docker"]["baseImage"] == DIGEST_REF


INVALID = {
    "cpu zero": (["--cpu-cores", "0"], "cpu_cores = 0.0: Input should be greater than 0"),
    "cpu over ACI's 4": (
        ["--cpu-cores", "4.5"],
        "cpu_cores = 4.5: Input should be less than or equal to 4",
    ),
    "memory zero": (["--memory-gb", "0"], "memory_gb = 0.0: Input should be greater than 0"),
    "memory over 16": (
        ["--memory-gb", "17"],
        "memory_gb = 17.0: Input should be less than or equal to 16",
    ),
    "name too short": (["--service-name", "ab"], "service_name = 'ab': 3-32 characters"),
    "name too long": (["--service-name", "a" * 33], "service_name = 'aaaa"),
    "name uppercase": (["--service-name", "MNIST-svc"], "service_name = 'MNIST-svc': 3-32"),
    "name ends with dash": (["--service-name", "mnist-"], "service_name = 'mnist-': 3-32"),
    "name starts with digit": (["--service-name", "1mnist"], "service_name = '1mnist': 3-32"),
    "dns label short": (["--dns-name-label", "abc"], "dns_name_label = 'abc': 5-63"),
    "dns label symbol": (["--dns-name-label", "my_mnist"], "dns_name_label = 'my_mnist': 5-63"),
    "location": (["--location", "East US"], "location = 'East US': an Azure region name"),
    "timeout": (["--timeout-s", "0"], "timeout_s = 0: Input should be greater than 0"),
    "entry script missing": (
        ["--entry-script", "nope/score.py"],
        "entry_script = 'nope/score.py': nope/score.py does not exist",
    ),
    "entry script not .py": (
        ["--entry-script", "README.md"],
        "entry_script = 'README.md': README.md must be a .py file",
    ),
    "model file missing": (
        ["--model-file", "nope.pkl"],
        "model_file = 'nope.pkl': nope.pkl does not exist",
    ),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_invalid_setting_exits_2_naming_the_field(
    case: str, fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    args, message = INVALID[case]
    assert main(["deploy", "--dry-run", *args], docker=DockerCli(fake_docker)) == 2
    assert message in capsys.readouterr().err


def test_entry_script_with_a_syntax_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "score.py"
    script.write_text("def run(:\n")
    assert main(["deploy", "--dry-run", "--image", DIGEST_REF, "--entry-script", str(script)]) == 2
    assert "score.py line 1: invalid syntax" in capsys.readouterr().err


def test_config_file_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('service_nme = "typo"\n')
    broken = tmp_path / "broken.toml"
    broken.write_text("cpu_cores = \n")
    assert main(["deploy", "--dry-run", "--config", str(unknown)]) == 2
    assert "service_nme = 'typo': Extra inputs are not permitted" in capsys.readouterr().err
    assert main(["deploy", "--dry-run", "--config", str(broken)]) == 2
    assert f"config file {broken}" in capsys.readouterr().err


def test_bad_tag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["deploy", "--dry-run", "--tag", "novalue"])
    assert info.value.code == 2
    assert "argument --tags: expected KEY=VALUE, got 'novalue'" in capsys.readouterr().err


def test_no_credentials_in_ci_exits_2_without_prompting(
    workspace_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["status", "--workspace-config", str(workspace_config)], environ={"CI": "true"})
    assert code == 2
    assert "auth: no credentials" in capsys.readouterr().err


def test_a_projects_own_score_py_is_the_default_entry_script(
    fake_docker: FakeDocker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # run from a `scorehost build` project folder: Azure ML v1 serves the script it uploads,
    # so it must be the project's, not the tutorial's
    project = tmp_path / "churn-service"
    project.mkdir()
    (project / "score.py").write_text("def init():\n    pass\n\ndef run(raw):\n    return raw\n")
    monkeypatch.chdir(project)

    assert main(["deploy", "--dry-run", "--image", DIGEST_REF], docker=DockerCli(fake_docker)) == 0

    variables = _json_out(capsys)["request_body"]["environmentImageRequest"]["environment"][
        "environmentVariables"
    ]
    assert variables["AZUREML_ENTRY_SCRIPT"] == "churn-service/score.py"


def test_another_image_without_an_entry_script_is_warned_it_will_serve_the_tutorials(
    fake_docker: FakeDocker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no score.py here
    built = "myacr.azurecr.io/churn-service@sha256:" + "b" * 64  # a `scorehost build` image

    assert main(["deploy", "--dry-run", "--image", built], docker=DockerCli(fake_docker)) == 0

    err = capsys.readouterr().err
    assert "no entry_script given and no score.py here: Azure ML will serve the tutorial's" in err
    assert "give --entry-script for your project's" in err
