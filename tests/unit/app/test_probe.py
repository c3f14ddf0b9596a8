"""The container's health probe: the URL serve announces, one GET, and nothing heavy imported."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from scorehost.app import probe
from tests.http_fakes import local_server, reply


@pytest.mark.parametrize(
    ("family", "host", "url_host"),
    [
        (socket.AF_INET, "0.0.0.0", "127.0.0.1"),
        (socket.AF_INET, "127.0.0.1", "127.0.0.1"),
        (socket.AF_INET6, "::", "[::1]"),
    ],
)
def test_the_health_url_is_where_a_local_client_reaches_the_socket(
    family: socket.AddressFamily, host: str, url_host: str
) -> None:
    with socket.socket(family) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
        assert probe.health_url(sock) == f"http://{url_host}:{port}/"


def test_a_healthy_server_is_exit_0_and_anything_else_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe_file = tmp_path / "scorehost.probe"
    with local_server(lambda handler: reply(handler, 200, b"Healthy", "text/plain")) as url:
        probe.announce(probe_file, f"{url}/")
        assert probe.main([str(probe_file)]) == 0
    assert "200 Healthy" in capsys.readouterr().out
    with local_server(lambda handler: reply(handler, 503, b"Unhealthy", "text/plain")) as url:
        probe.announce(probe_file, f"{url}/")
        assert probe.main([str(probe_file)]) == 1
    assert "503 Unhealthy" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.partial"))


def test_no_probe_file_yet_means_not_listening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert probe.main([str(tmp_path / "missing.probe")]) == 1
    assert "the server is not listening yet" in capsys.readouterr().err


def test_a_server_that_went_away_is_unhealthy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = probe.health_url(sock)  # bound, never listening: connection refused
        probe.announce(tmp_path / "p", url)
        assert probe.main([str(tmp_path / "p")]) == 1
    assert url in capsys.readouterr().err


def test_the_probe_imports_nothing_of_the_server() -> None:
    # Docker runs it every 10 s on a 1-CPU container: the standard library only.
    code = (
        "import sys, scorehost.app.probe; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'numpy', 'pydantic', 'pydantic_settings', 'httpx', 'fastapi', 'sklearn', 'starlette'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
