"""`scorehost deploy batch_endpoint`: a user moves the batch script and its model to an Azure ML
batch endpoint and starts a job on a data asset. The real azure-ai-ml and azure-storage-blob
run against an HTTP fake of Azure Resource Manager and Blob storage (tests/deploy/fake_arm.py)."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scorehost.deploy.batch_endpoint.cli import main
from tests.deploy.conftest import serve_fake_arm
from tests.deploy.fake_arm import CONTAINER, GROUP, SUB, WORKSPACE, FakeArm
from tests.paths import EXAMPLES

pytestmark = pytest.mark.deploy


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    yield from serve_fake_arm(monkeypatch, FakeArm())  # no scoring server: jobs are recorded


# These tests move the tutorial's batch script and model, with the tutorial's own settings file.
TUTORIAL_CONFIG = str(EXAMPLES / "mnist" / "batch_endpoint.toml")


def _run(capsys: pytest.CaptureFixture[str], command: str, *argv: str) -> tuple[int, str]:
    config = () if "--config" in argv else ("--config", TUTORIAL_CONFIG)
    code = main([command, *config, *argv])
    captured = capsys.readouterr()
    return code, captured.out + (captured.err if code else "")


def _plan(capsys: pytest.CaptureFixture[str], workspace: Path, model_dir: Path, *argv: str) -> Any:
    dry_run = ("deploy", "--dry-run", "--workspace-config", str(workspace))
    code, out = _run(capsys, *dry_run, "--model-dir", str(model_dir), *argv)
    assert code == 0, out
    return json.loads(out)["requests"]


def _kinds(requests: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each mutation as (method, what): the resource type, or `blob` for an upload."""
    kinds = []
    for request in requests:
        url = request["url"].split("?")[0]
        what = "blob" if ".blob.core.windows.net" in url else url.rsplit("/", 2)[-2]
        kinds.append((request["method"], what))
    return kinds


PLAN = [
    ("PUT", "computes"),
    ("PUT", "versions"),  # the environment
    ("POST", "workspaceblobstore"),  # the datastore's key, once for both uploads
    *[("PUT", "blob")] * 8,  # the code folder: scorehost/examples/mnist's 8 files
    ("PUT", "versions"),  # the code asset
    *[("PUT", "blob")] * 2,  # the model folder: the .pkl and its metadata
    ("PUT", "versions"),  # the model
    ("PUT", "batchEndpoints"),
    ("PUT", "deployments"),
    ("PUT", "batchEndpoints"),  # the deployment made the endpoint's default
]


def test_dry_run_prints_every_request_and_sends_none(
    capsys: pytest.CaptureFixture[str], workspace: Path, mnist_model_dir: Path
) -> None:
    requests = _plan(capsys, workspace, mnist_model_dir)

    assert _kinds(requests) == PLAN
    deployment = requests[-2]["body"]["properties"]
    assert deployment["codeConfiguration"]["scoringScript"] == "score_batch.py"
    code_put = next(r for r in requests if "/codes/" in r["url"])
    version = code_put["url"].split("/versions/")[1].split("?")[0]
    assert deployment["codeConfiguration"]["codeId"].endswith(
        f"/codes/scorehost-batch-code/versions/{version}"
    )
    assert (deployment["miniBatchSize"], deployment["errorThreshold"]) == (10, -1)
    assert deployment["retrySettings"] == {"maxRetries": 3, "timeout": "PT5M"}
    assert (deployment["outputAction"], deployment["outputFileName"]) == (
        "AppendRow",
        "predictions.csv",
    )
    assert deployment["compute"].endswith("/computes/cpu-cluster")
    assert requests[-1]["body"]["properties"]["defaults"] == {"deploymentName": "scorehost"}
    assert all("bytes>" in r["body"] for r in requests if ".blob." in r["url"])
    model = next(r for r in requests if "/models/" in r["url"])
    assert model["url"].split("?")[0].endswith("/versions/1")  # Azure's integer versions
    assert code_put["body"]["properties"]["codeUri"].startswith("https://")


def test_the_environment_pins_the_libraries_the_model_was_trained_with(
    capsys: pytest.CaptureFixture[str], workspace: Path, mnist_model_dir: Path
) -> None:
    environment = _plan(capsys, workspace, mnist_model_dir)[1]["body"]["properties"]
    trained = json.loads((mnist_model_dir / "sklearn_mnist_model.json").read_text())["versions"]
    conda = environment["condaFile"]
    assert f"scikit-learn=={trained['scikit-learn']}" in conda
    assert f"python={'.'.join(trained['python'].split('.')[:2])}" in conda
    assert "azureml-core" in conda and "pandas" in conda  # the driver's; the script's
    # its every release caps numpy below 2: with the model's numpy 2 pip cannot resolve it
    assert "azureml-dataset-runtime" not in conda


def test_a_requirement_the_models_saved_version_breaks_is_exit_2(
    capsys: pytest.CaptureFixture[str], workspace: Path, mnist_model_dir: Path, tmp_path: Path
) -> None:
    # the model's metadata records the scikit-learn it was pickled with; a requirements file
    # that rules it out would build an environment where the model cannot load
    code = tmp_path / "churn-batch"
    code.mkdir()
    (code / "score_batch.py").write_text("def init():\n    pass\n\ndef run(b):\n    return b\n")
    (code / "requirements.txt").write_text("scikit-learn<1.5\njoblib\n")
    trained = json.loads((mnist_model_dir / "sklearn_mnist_model.json").read_text())["versions"]
    dry_run = ("deploy", "--dry-run", "--workspace-config", str(workspace))
    where = ("--model-dir", str(mnist_model_dir), "--code-dir", str(code))

    code_, out = _run(capsys, *dry_run, *where, "--scoring-script", "score_batch.py")

    assert code_ == 2
    assert (
        f"requirements.txt asks for 'scikit-learn<1.5', but the model was saved with "
        f"scikit-learn {trained['scikit-learn']}" in out
    )


@pytest.mark.network
def test_the_environment_azure_builds_resolves(
    capsys: pytest.CaptureFixture[str], workspace: Path, mnist_model_dir: Path
) -> None:
    environment = _plan(capsys, workspace, mnist_model_dir)[1]["body"]["properties"]
    conda = yaml.safe_load(environment["condaFile"])
    (pip,) = [item["pip"] for item in conda["dependencies"] if isinstance(item, dict)]
    assert conda["dependencies"][0] == f"python={sys.version_info[0]}.{sys.version_info[1]}"

    resolved = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "-q", *pip],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert resolved.returncode == 0, resolved.stderr[-2000:]


def test_a_projects_own_requirements_file_is_its_environment(
    capsys: pytest.CaptureFixture[str], workspace: Path, tmp_path: Path
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "score.py").write_text("def init(): pass\ndef run(mini_batch): return mini_batch\n")
    (code / "requirements.txt").write_text("scikit-learn==1.2.2\nazureml-defaults\n")
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.pkl").write_bytes(b"weights")
    argv = ["--config", str(tmp_path / "none.toml")]
    (tmp_path / "none.toml").write_text(f'code_dir = "{code}"\n')
    code_, out = _run(
        capsys,
        "deploy",
        *argv,
        "--dry-run",
        "--workspace-config",
        str(workspace),
        "--model-dir",
        str(model),
    )

    assert code_ == 0, out
    environment = json.loads(out)["requests"][1]["body"]["properties"]
    pip = yaml.safe_load(environment["condaFile"])["dependencies"][-1]["pip"]
    assert pip == ["scikit-learn==1.2.2", "azureml-defaults", "azureml-core"]


def test_deploy_uploads_code_and_model_and_creates_the_endpoint(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm, mnist_model_dir: Path
) -> None:
    code, out = _run(
        capsys, "deploy", "--workspace-config", str(workspace), "--model-dir", str(mnist_model_dir)
    )

    assert code == 0, out
    status = json.loads(out)
    assert status["default_deployment"] == "scorehost"
    assert [d["name"] for d in status["deployments"]] == ["scorehost"]
    uploaded = {name.rsplit("/", 1)[-1]: data for name, data in arm.blobs.items()}
    assert uploaded["score_batch.py"] == (EXAMPLES / "mnist" / "score_batch.py").read_bytes()
    pkl = (mnist_model_dir / "sklearn_mnist_model.pkl").read_bytes()
    assert pkl in uploaded.values()
    assert all(name.startswith(f"{CONTAINER}/scorehost/") for name in arm.blobs)


def test_an_unchanged_code_and_model_are_not_uploaded_again(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm, mnist_model_dir: Path
) -> None:
    argv = ("deploy", "--workspace-config", str(workspace), "--model-dir", str(mnist_model_dir))
    assert _run(capsys, *argv)[0] == 0
    first = len(arm.blobs)
    arm.received.clear()

    assert _run(capsys, *argv)[0] == 0

    assert first == 8 + 2  # the code folder's files and the model folder's
    assert not [r for r in arm.mutations() if ".blob." in r["url"]]


def test_a_job_is_started_on_a_data_asset(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm, mnist_model_dir: Path
) -> None:
    deploy = ("deploy", "--workspace-config", str(workspace), "--model-dir", str(mnist_model_dir))
    assert _run(capsys, *deploy)[0] == 0
    data = f"{arm_path()}/data/digits"
    arm.resources[data.lower()] = {
        "id": data,
        "name": "digits",
        "properties": {"latestVersion": "2"},
    }
    arm.resources[f"{data}/versions/2".lower()] = {
        "id": f"{data}/versions/2",
        "name": "2",
        "properties": {
            "dataType": "uri_folder",
            "dataUri": "azureml://datastores/workspaceblobstore/paths/digits/",
        },
    }

    code, out = _run(
        capsys, "invoke", "--workspace-config", str(workspace), "--input", "azureml:digits@latest"
    )

    assert code == 0, out
    assert json.loads(out)["job"] == "batchjob-1"
    (job,) = arm.jobs
    assert job["properties"]["inputData"]["UriFolder"]["uri"].endswith("/data/digits/versions/2")


def arm_path() -> str:
    return (
        f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/"
        f"Microsoft.MachineLearningServices/workspaces/{WORKSPACE}"
    )


def test_a_failed_deployment_is_exit_3_with_azures_reason(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm, mnist_model_dir: Path
) -> None:
    arm.failing.add("scorehost")

    code, out = _run(
        capsys, "deploy", "--workspace-config", str(workspace), "--model-dir", str(mnist_model_dir)
    )

    assert code == 3
    assert "batch deployment scorehost failed" in out


def test_no_rights_is_exit_3_and_nothing_is_created(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm, mnist_model_dir: Path
) -> None:
    arm.denied = True

    code, out = _run(
        capsys, "deploy", "--workspace-config", str(workspace), "--model-dir", str(mnist_model_dir)
    )

    assert code == 3
    assert "AuthorizationFailed" in out or "authorization" in out
    assert not arm.blobs


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--model-dir", "/nowhere"), "model_dir: /nowhere is not a folder"),
        (("--scoring-script", "missing.py"), "missing.py not found"),
        (("--instance-count", "5"), "instance_count (5) is above max_instances (2)"),
        (("--endpoint-name", "x_y"), "endpoint_name"),
        # Azure's own limits, caught before anything is sent (each was a late failure)
        (("--compute-name", "cpu-cluster-for-scoring"), "compute_name"),
        (("--scoring-script", "/etc/passwd"), "must be a path inside code_dir"),
        (("--scoring-script", "../x.py"), "must be a path inside code_dir"),
        (("--instance-type", "Standard_DS3_v9"), "nearest: Standard_DS3_v2"),
    ],
)
def test_bad_settings_are_exit_2_before_anything_is_sent(
    capsys: pytest.CaptureFixture[str],
    workspace: Path,
    mnist_model_dir: Path,
    flags: tuple[str, ...],
    message: str,
) -> None:
    dry_run = ("deploy", "--dry-run", "--workspace-config", str(workspace))
    code, out = _run(capsys, *dry_run, "--model-dir", str(mnist_model_dir), *flags)
    assert code == 2
    assert message in out


def test_a_cluster_of_a_general_purpose_size_is_accepted(
    capsys: pytest.CaptureFixture[str], workspace: Path, mnist_model_dir: Path
) -> None:
    # Standard_D4s_v3 runs compute clusters (not online endpoints): spelled as Azure spells it
    requests = _plan(capsys, workspace, mnist_model_dir, "--instance-type", "standard_d4s_v3")
    assert requests[0]["body"]["properties"]["properties"]["vmSize"] == "Standard_D4s_v3"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--input", "./missing"), "--input: ./missing is not a local folder"),
        (("--input", "score.py"), "is a file; pass --input-type uri_file"),
        (("--input", ".", "--input-type", "uri_file"), "is a folder; pass --input-type uri_folder"),
    ],
)
def test_a_local_input_that_cannot_be_uploaded_is_exit_2(
    capsys: pytest.CaptureFixture[str],
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(EXAMPLES / "mnist")
    code, out = _run(capsys, "invoke", "--dry-run", "--workspace-config", str(workspace), *argv)
    assert code == 2
    assert message in out


def test_the_dry_run_says_nothing_on_stderr(
    capsys: pytest.CaptureFixture[str], workspace: Path, mnist_model_dir: Path
) -> None:
    argv = ["deploy", "--dry-run", "--workspace-config", str(workspace), "--config"]
    assert main([*argv, TUTORIAL_CONFIG, "--model-dir", str(mnist_model_dir)]) == 0
    assert capsys.readouterr().err == ""


def _put(arm: FakeArm, part: str) -> list[dict[str, Any]]:
    return [m for m in arm.mutations() if m["method"] == "PUT" and part in m["url"]]


def test_assets_are_registered_as_azure_takes_them(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm, mnist_model_dir: Path
) -> None:
    deploy = ("deploy", "--workspace-config", str(workspace), "--model-dir", str(mnist_model_dir))
    assert _run(capsys, *deploy)[0] == 0

    (model,) = _put(arm, "/models/")
    assert model["url"].split("?")[0].endswith(f"/models/{mnist_model_dir.name}/versions/1")
    model_uri = model["body"]["properties"]["modelUri"]
    # Azure mounts a registered folder under AZUREML_MODEL_DIR by its last path segment
    assert model_uri.rstrip("/").endswith(f"/{mnist_model_dir.name}")
    (code,) = _put(arm, "/codes/")
    code_uri = code["body"]["properties"]["codeUri"]
    assert code_uri.startswith(f"https://wsstorage0123.blob.core.windows.net/{CONTAINER}/")
    assert code_uri.endswith("/mnist")  # the code folder's own name


def test_a_retrained_model_is_the_next_version_and_an_unchanged_one_is_reused(
    capsys: pytest.CaptureFixture[str],
    workspace: Path,
    arm: FakeArm,
    mnist_model_dir: Path,
    tmp_path: Path,
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    for path in mnist_model_dir.iterdir():
        (model / path.name).write_bytes(path.read_bytes())
    deploy = ("deploy", "--workspace-config", str(workspace), "--model-dir", str(model))
    assert _run(capsys, *deploy)[0] == 0
    assert _run(capsys, *deploy)[0] == 0  # nothing changed: version 1 again, nothing uploaded
    (model / "notes.txt").write_text("retrained on more data")
    assert _run(capsys, *deploy)[0] == 0

    versions = [m["url"].split("/versions/")[1].split("?")[0] for m in _put(arm, "/models/")]
    assert versions == ["1", "2"]
    deployments = _put(arm, "/deployments/")
    assert deployments[-1]["body"]["properties"]["model"]["assetId"].endswith("/versions/2")


def test_a_redeploy_never_leaves_the_endpoint_without_its_default(
    capsys: pytest.CaptureFixture[str], workspace: Path, arm: FakeArm, mnist_model_dir: Path
) -> None:
    deploy = ("deploy", "--workspace-config", str(workspace), "--model-dir", str(mnist_model_dir))
    assert _run(capsys, *deploy)[0] == 0
    arm.received.clear()

    assert _run(capsys, *deploy, "--deployment-name", "second")[0] == 0

    endpoint_puts = _put(arm, "/batchEndpoints/")
    endpoint_puts = [m for m in endpoint_puts if "/deployments/" not in m["url"]]
    # while `second` was made, jobs still went to `scorehost`; then `second` took over
    assert [m["body"]["properties"]["defaults"] for m in endpoint_puts] == [
        {"deploymentName": "second"}
    ]
