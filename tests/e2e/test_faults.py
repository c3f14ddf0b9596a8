"""Faults in user code and in processes: the service says what happened and recovers."""

import json
import os
import signal
import time

import httpx
import pytest

from tests.paths import SCRIPTS
from tests.servers import StartServer

pytestmark = pytest.mark.e2e


def test_init_that_hangs_stops_the_server_with_a_clear_reason(start_server: StartServer) -> None:
    server = start_server(
        "--entry-script",
        SCRIPTS / "slow_init.py",
        "--init-timeout-s",
        "1",
        env={"SLOW_INIT_SECONDS": "600"},
        wait=False,
    )
    assert server.wait_exit(30) == 3
    assert "slow_init.py did not finish within 1 s (SCOREHOST_INIT_TIMEOUT_S)" in server.log()


def test_hung_run_gets_504_and_the_worker_is_recycled(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "slow_run.py", "--scoring-timeout-ms", "500")

    hung = httpx.post(f"{server.url}/score", content=json.dumps({"sleep": 3600}), timeout=10)

    assert hung.status_code == 504
    server.wait_for_log("recycled: a run() hung past its deadline")
    server.wait_ready()
    fine = httpx.post(f"{server.url}/score", content=json.dumps({"sleep": 0}), timeout=30)
    assert fine.json() == {"slept": 0}
    assert "this worker will be recycled" in server.log()
    metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
    assert 'scorehost_worker_recycles_total{reason="timeout"} 1.0' in metrics


def test_killed_worker_is_replaced(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py")
    worker = int(server.log().split("Started worker process ")[1].split()[0])

    os.kill(worker, signal.SIGKILL)

    server.wait_for_log(f"Worker {worker} died while serving (killed by SIGKILL")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.post(f"{server.url}/score", content="x", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    assert httpx.post(f"{server.url}/score", content="again").json()["received"] == "again"
