"""A script that cannot be served stops the server at once, saying which file and why."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.paths import SCRIPTS
from tests.servers import StartServer

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("init_raises.py", "init_raises.py failed: RuntimeError: model file is corrupt"),
        ("no_run.py", "no_run.py does not define a run() function"),
        ("import_fails.py", "ModuleNotFoundError: No module named 'package_that_does_not_exist'"),
    ],
)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_broken_script_exits_3_naming_file_and_cause(
    start_server: StartServer, script: str, message: str, workers: str
) -> None:
    server = start_server("--entry-script", SCRIPTS / script, "--workers", workers, wait=False)
    assert server.wait_exit(60) == 3
    assert message in server.log()


def test_missing_entry_script_exits_2(start_server: StartServer, tmp_path: Path) -> None:
    server = start_server("--entry-script", tmp_path / "score.py", wait=False)
    assert server.wait_exit(30) == 2
    assert f"entry script {tmp_path / 'score.py'} not found" in server.log()


def test_syntax_error_exits_2_with_the_line(start_server: StartServer, tmp_path: Path) -> None:
    script = tmp_path / "score.py"
    script.write_text("def init():\n    pass\n\ndef run(raw_data)\n    return 1\n")
    server = start_server("--entry-script", script, wait=False)
    assert server.wait_exit(30) == 2
    assert "score.py line 4: expected ':'" in server.log()


def test_settings_come_from_azure_ml_environment_names(start_server: StartServer) -> None:
    server = start_server(
        env={
            "AZUREML_ENTRY_SCRIPT": "echo.py",
            "AML_APP_ROOT": str(SCRIPTS),
            "WORKER_COUNT": "1",
            "SCORING_TIMEOUT_MS": "5000",
        }
    )
    assert httpx.post(f"{server.url}/score", content="hi").json()["received"] == "hi"


def test_invalid_setting_exits_2_naming_it(start_server: StartServer) -> None:
    server = start_server(
        "--entry-script", SCRIPTS / "echo.py", env={"WORKER_COUNT": "zero"}, wait=False
    )
    assert server.wait_exit(30) == 2
    assert "workers" in server.log()


def test_an_unreadable_api_keys_file_exits_2_saying_why(
    start_server: StartServer, tmp_path: Path
) -> None:
    # e.g. a Kubernetes secret mounted where the non-root user cannot read it
    server = start_server(
        "--entry-script",
        SCRIPTS / "echo.py",
        env={"SCOREHOST_API_KEYS_FILE": str(tmp_path)},
        wait=False,
    )
    assert server.wait_exit(30) == 2
    assert f"API keys file {tmp_path} is a folder, not a file" in server.log()


def test_a_failing_init_shows_the_cause_and_the_users_own_lines(
    start_server: StartServer,
) -> None:
    server = start_server("--entry-script", SCRIPTS / "init_raises.py", wait=False)
    assert server.wait_exit(60) == 3
    log = server.log()
    assert "init_raises.py failed: RuntimeError: model file is corrupt" in log
    assert f"at {SCRIPTS / 'init_raises.py'}:2 in init: raise RuntimeError" in log
    assert "Traceback" not in log and "asyncio" not in log and "concurrent" not in log

    debug = start_server("--entry-script", SCRIPTS / "init_raises.py", "--debug", wait=False)
    assert debug.wait_exit(60) == 3
    assert "Traceback (most recent call last)" in debug.log()


def test_a_port_in_use_is_one_line_naming_the_port_and_the_flag(
    start_server: StartServer,
) -> None:
    first = start_server("--entry-script", SCRIPTS / "echo.py")
    port = first.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scorehost",
            "serve",
            "--entry-script",
            str(SCRIPTS / "echo.py"),
            "--port",
            port,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"scorehost serve: error: port {port} is in use (127.0.0.1:{port}): stop what listens "
        "there, or pick another with --port (make serve PORT=...)\n"
    )
