"""Several worker processes: each calls init(), a crashed one is replaced."""

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.servers import StartServer

pytestmark = pytest.mark.e2e

PID_SCRIPT = "import os\n\ndef init():\n    pass\n\ndef run(raw_data):\n    return os.getpid()\n"


def test_two_workers_serve_and_a_killed_one_is_replaced(
    start_server: StartServer, tmp_path: Path
) -> None:
    script = tmp_path / "pid.py"
    script.write_text(PID_SCRIPT)
    server = start_server("--entry-script", script, "--workers", "2")
    pids = {httpx.post(f"{server.url}/score", content="x").json() for _ in range(40)}
    assert pids and server.process.pid not in pids

    victim = pids.pop()
    os.kill(victim, signal.SIGKILL)

    deadline = time.monotonic() + 30
    answered: set[int] = set()
    while time.monotonic() < deadline and len(answered - {victim}) < 2:
        try:
            response = httpx.post(f"{server.url}/score", content="x", timeout=2)
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        if response.status_code == 503:  # the replacement is still in init()
            time.sleep(0.05)
            continue
        answered.add(response.json())
    assert victim not in answered
    assert len(answered) == 2
    assert "replacing it" in server.log()

    server.process.send_signal(signal.SIGTERM)
    assert server.wait_exit(30) == 0
