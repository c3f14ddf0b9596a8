"""Developing a score.py under `scorehost serve --reload`: edit, and the same server answers
with the new code; break it, and it answers 503 with the error instead of dying; fix it, 200."""

import time
from pathlib import Path

import httpx
import pytest

from tests.servers import ServerProcess, StartServer

pytestmark = pytest.mark.e2e

_SCRIPT = """
def init():
    pass


def run(raw_data):
    return {{"version": {version}}}
"""


def _answer_becomes(server: ServerProcess, status: int, text: str, deadline_s: float = 30) -> str:
    """POST /score until it answers `status` with `text` in its body; that body."""
    deadline = time.monotonic() + deadline_s
    seen = ""
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"the server exited:\n{server.log()}"
        try:
            response = httpx.post(f"{server.url}/score", content="{}", timeout=5)
        except httpx.TransportError as exc:
            seen = repr(exc)
        else:
            seen = f"{response.status_code} {response.text}"
            if response.status_code == status and text in response.text:
                return response.text
        time.sleep(0.1)
    raise AssertionError(f"never {status} with {text!r} (last: {seen}):\n{server.log()}")


def test_edit_break_and_fix_a_script_under_one_running_server(
    start_server: StartServer, tmp_path: Path
) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    script = folder / "score.py"
    script.write_text(_SCRIPT.format(version=1))
    server = start_server("--entry-script", script, "--reload")
    assert httpx.post(f"{server.url}/score", content="{}").json() == {"version": 1}

    script.write_text(_SCRIPT.format(version=2))
    _answer_becomes(server, 200, '"version":2')
    assert "Reloading (modified score.py): restarting the worker" in server.log()

    script.write_text("def init():\n    pass\n\ndef run(raw_data)\n    return 3\n")
    broken = _answer_becomes(server, 503, "The scoring script failed to start")
    assert "line 4" in broken and "SyntaxError" in broken
    assert "Waiting for a change to the script (--reload)" in server.log()

    (folder / "helper.py").write_text("VERSION = 3\n")
    script.write_text(
        "from helper import VERSION\n\ndef init():\n    pass\n\n"
        "def run(raw_data):\n    return {'version': VERSION}\n"
    )
    _answer_becomes(server, 200, '"version":3')
    assert server.process.poll() is None  # one server process throughout


def test_a_changed_model_file_restarts_the_worker_too(
    start_server: StartServer, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "threshold.txt").write_text("1")
    script = tmp_path / "score.py"
    script.write_text(
        "import os\n\ndef init():\n    global threshold\n"
        "    path = os.path.join(os.environ['AZUREML_MODEL_DIR'], 'threshold.txt')\n"
        "    threshold = int(open(path).read())\n\n"
        "def run(raw_data):\n    return {'threshold': threshold}\n"
    )
    server = start_server("--entry-script", script, "--model-dir", models, "--reload")
    assert httpx.post(f"{server.url}/score", content="{}").json() == {"threshold": 1}

    (models / "threshold.txt").write_text("2")
    _answer_becomes(server, 200, '"threshold":2')
    assert "modified threshold.txt" in server.log()
    # The server's own log file sits beside score.py and grows all along: never a reason.
    assert server.log().count("Reloading (") == 1
