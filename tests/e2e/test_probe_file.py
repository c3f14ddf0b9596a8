"""--probe-file: serve announces its health URL for the container's HEALTHCHECK, and removes it."""

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import SCRIPTS
from tests.servers import StartServer, free_port

pytestmark = pytest.mark.e2e


def _probe(probe_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scorehost.app.probe", str(probe_file)],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_probe_finds_the_server_through_the_file_and_not_after_it_stops(
    start_server: StartServer, tmp_path: Path
) -> None:
    probe_file = tmp_path / "scorehost.probe"
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--probe-file", probe_file)
    assert probe_file.read_text().strip() == f"{server.url}/"
    healthy = _probe(probe_file)
    assert (healthy.returncode, healthy.stdout.strip()) == (0, f"{server.url}/: 200 Healthy")
    server.process.send_signal(signal.SIGTERM)  # as docker stop does: to the server alone
    assert server.wait_exit(60) == 0
    assert not probe_file.exists()
    assert _probe(probe_file).returncode == 1


def test_the_health_port_is_what_the_probe_asks(start_server: StartServer, tmp_path: Path) -> None:
    probe_file = tmp_path / "scorehost.probe"
    health_port = free_port()
    start_server(
        *("--entry-script", SCRIPTS / "echo.py", "--probe-file", probe_file),
        *("--health-port", str(health_port)),
    )
    assert probe_file.read_text().strip() == f"http://127.0.0.1:{health_port}/"
    assert _probe(probe_file).returncode == 0


def test_an_unwritable_probe_file_is_a_warning_and_serving_goes_on(
    start_server: StartServer, tmp_path: Path
) -> None:
    missing_dir = tmp_path / "no" / "such" / "dir"
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--probe-file", missing_dir / "p")
    assert "cannot write the probe file" in server.log()
