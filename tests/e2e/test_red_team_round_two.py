"""What a second red-team pass found, each case against a real server over a real socket
(loopback, bounded in time and count): no request stops the server, keys rotate, nothing a
caller sends is logged as something else. `make redteam` prints these cases as a table."""

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.paths import SCRIPTS
from tests.servers import StartServer, free_port

pytestmark = pytest.mark.e2e


def _until(condition: Callable[[], bool], deadline_s: float = 10) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.05)


def test_keys_rotate_when_the_keys_file_is_swapped_as_a_kubernetes_secret_is(
    start_server: StartServer, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.write_text("old-key-1111\n")
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--api-keys-file", keys)
    url = f"{server.url}/score"

    def status(key: str) -> int:
        return httpx.post(url, content="x", headers={"Authorization": f"Bearer {key}"}).status_code

    assert (status("old-key-1111"), status("new-key-2222")) == (200, 401)
    swapped = tmp_path / "keys.new"
    swapped.write_text("# rotated\nnew-key-2222\n")
    swapped.replace(keys)  # a new file in its place, as the Secret's volume swaps it

    _until(lambda: status("new-key-2222") == 200)
    assert status("old-key-1111") == 401
    keys.write_text("# emptied by a broken rotation\n")
    time.sleep(1.5)
    assert status("new-key-2222") == 200  # the last good keys stay; the API never opens
    assert status("anything") == 401
    assert "keeping the keys it held before" in server.log()


def test_a_keys_file_with_no_key_refuses_to_start(
    start_server: StartServer, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# nothing yet\n")
    server = start_server(
        "--entry-script", SCRIPTS / "echo.py", "--api-keys-file", keys, wait=False
    )
    assert server.wait_exit() == 2
    assert "holds no key" in server.log()


def test_metrics_and_docs_need_the_key_but_on_the_health_port(start_server: StartServer) -> None:
    health = free_port()
    server = start_server(
        "--entry-script",
        SCRIPTS / "echo.py",
        "--health-port",
        str(health),
        env={"SCOREHOST_PRIMARY_KEY": "primary-key-3333"},
    )
    for path in ("/metrics", "/openapi.json", "/docs"):
        assert httpx.get(f"{server.url}{path}").status_code == 401, path
        assert httpx.get(f"http://127.0.0.1:{health}{path}").status_code == 200, path
    assert httpx.get(f"{server.url}/swagger.json").status_code == 200  # as azmlinfsrv
