"""/docs and /redoc work with no network: a real headless browser, allowed to reach only the
server, renders Swagger UI with the served script's operations (not merely its HTML)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.paths import SCRIPTS
from tests.servers import ServerProcess, StartServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests, but chromium is not installed")
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    return found


def _browse(chromium: str, url: str, *options: str) -> subprocess.CompletedProcess[str]:
    """The page after its scripts ran, in a browser that can resolve nothing but localhost."""
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",  # tests run as root here
            "--disable-gpu",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=10000",
            *options,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.fixture
def server(start_server: StartServer) -> ServerProcess:
    return start_server("--entry-script", SCRIPTS / "echo.py")


def test_swagger_ui_renders_the_operations_offline(
    chromium: str, server: ServerProcess, tmp_path: Path
) -> None:
    page = _browse(chromium, f"{server.url}/docs", "--dump-dom").stdout

    assert 'class="swagger-ui"' in page
    # Rendered by Swagger UI's script from /openapi.json: one block per operation.
    assert "opblock-summary-path" in page and 'data-path="/score"' in page
    assert "Score with run()" in page
    assert "echo.py" in page  # the description names the script being served
    assert "cdn.jsdelivr.net" not in page

    screenshot = tmp_path / "docs.png"
    _browse(chromium, f"{server.url}/docs", f"--screenshot={screenshot}", "--window-size=1280,900")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_redoc_renders_offline(chromium: str, server: ServerProcess) -> None:
    page = _browse(chromium, f"{server.url}/redoc", "--dump-dom").stdout

    assert "Score with run()" in page
    assert "redoc.standalone.js" in page and "cdn.jsdelivr.net" not in page
