"""What the script's process sees: Azure ML's variables, sys.path, print() in the log, the
driver-module convention, azmlinfsrv's flags and config file."""

import json
import uuid
from pathlib import Path

import httpx
import pytest

from tests.compat.conftest import AML_SCRIPTS, Servers
from tests.servers import free_port

pytestmark = pytest.mark.compat
SOURCE_DIR = str(AML_SCRIPTS / "source_dir")  # AZUREML_SOURCE_DIRECTORY, absolute


def test_the_variables_azure_ml_exports(servers: Servers, kind: str, tmp_path: Path) -> None:
    key = str(uuid.uuid4())
    server = servers.start(
        kind,
        "environment.py",
        "--model_dir",
        str(tmp_path),
        "--appinsights_instrumentation_key",
        key,
        env={"AZUREML_SOURCE_DIRECTORY": SOURCE_DIR},
    )
    answer = httpx.post(f"{server.url}/score", content="{}").json()
    assert answer["env"] == {
        "AML_APP_ROOT": str(server.app_root),
        "AZUREML_ENTRY_SCRIPT": str(server.app_root / "environment.py"),
        "AZUREML_MODEL_DIR": str(tmp_path),
        "WORKER_COUNT": "1",
        "AML_APP_INSIGHTS_ENABLED": "true",
        "AML_APP_INSIGHTS_KEY": key,
    }
    assert answer["helper"] == "from the source directory"
    assert answer["cwd_on_path"]


def test_print_goes_to_the_server_log_once(servers: Servers, kind: str, tmp_path: Path) -> None:
    server = servers.start(
        kind,
        "environment.py",
        "--model_dir",
        str(tmp_path),
        env={"AZUREML_SOURCE_DIRECTORY": SOURCE_DIR},
    )
    httpx.post(f"{server.url}/score", content="{}")
    server.wait_for_log("environment-script run printed")
    lines = server.log().splitlines()
    assert sum("environment-script init printed" in line for line in lines) == 1
    assert sum("environment-script run printed" in line for line in lines) == 1
    assert any("print" in line and "run printed" in line for line in lines)  # a logger's line


def test_a_model_folder_that_does_not_exist_is_only_a_warning(
    servers: Servers, kind: str, tmp_path: Path
) -> None:
    server = servers.start(kind, "query.py", "--model_dir", str(tmp_path / "nothing-here"))
    assert httpx.post(f"{server.url}/score", content="{}").status_code == 200


def test_a_driver_module_serves_the_real_scripts_run(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "driver.py")
    answer = httpx.post(f"{server.url}/score", content="{}").json()
    assert answer == {"via": "driven", "driver_init_ran": "yes"}


def test_a_config_file_under_azure_names(servers: Servers, kind: str) -> None:
    config = json.dumps({"AZUREML_ENTRY_SCRIPT": "query.py", "SCORING_TIMEOUT_MS": 6000})
    server = servers.start(
        kind, "query.py", "--config_file", "config.json", files={"config.json": config}
    )
    assert httpx.post(f"{server.url}/score", content="{}").json() == {"raw": {}}


def test_the_script_can_import_from_both_api_paths(servers: Servers, kind: str) -> None:
    for script in ("raw_echo.py", "custom_response.py"):  # one path each
        assert httpx.post(f"{servers.start(kind, script).url}/score", content=b"").status_code < 300


# A script whose helpers have generic names, imported as plain Python imports them (its folder
# first): nothing the server installs may stand in for them.
_OWN_MODULES = {
    "own_modules.py": (
        "import client\nimport deploy\nimport utils\nfrom app import helper\n\n\n"
        "def init():\n    pass\n\n\n"
        "def run(raw_data):\n"
        "    found = [getattr(m, 'NAME', m.__file__) for m in (deploy, utils, client)]\n"
        "    return [helper(), *found]\n"
    ),
    "app.py": "def helper():\n    return 'app.py'\n",
    "deploy.py": "NAME = 'deploy.py'\n",
    "utils.py": "NAME = 'utils.py'\n",
    "client.py": "NAME = 'client.py'\n",
}


def test_the_scripts_own_app_deploy_utils_and_client_modules(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "own_modules.py", files=_OWN_MODULES)
    answer = httpx.post(f"{server.url}/score", content="{}").json()
    if (
        kind == "azmlinfsrv"
    ):  # its own server/utils.py comes first on sys.path (README: differences)
        assert answer[2].endswith("azureml_inference_server_http/server/utils.py")
        answer[2] = "utils.py"
    assert answer == ["app.py", "deploy.py", "utils.py", "client.py"]


@pytest.mark.parametrize("given", ["./source_dir/", "source_dir"])
def test_the_model_folder_reaches_the_script_as_written(
    servers: Servers, kind: str, given: str
) -> None:
    # scripts join strings to it (AZUREML_MODEL_DIR + "model.pkl"): it must stay as given
    env = {"AZUREML_MODEL_DIR": given, "AZUREML_SOURCE_DIRECTORY": SOURCE_DIR}
    server = servers.start(kind, "environment.py", env=env)
    answer = httpx.post(f"{server.url}/score", content="{}").json()
    assert answer["env"]["AZUREML_MODEL_DIR"] == given


def test_a_separate_health_endpoint_as_azure_mls_variable_asks(servers: Servers, kind: str) -> None:
    # SEPERATE_HEALTH_ENDPOINT=true (Azure's spelling): health on --health_port as well
    port = str(free_port())
    env = {"SEPERATE_HEALTH_ENDPOINT": "true"}
    server = servers.start(kind, "query.py", "--health_port", port, env=env)
    assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
    assert httpx.post(f"{server.url}/score", content='{"a": 1}').status_code == 200
