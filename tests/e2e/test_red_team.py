"""What a red-team pass found, each case against the real server over a real socket (loopback,
bounded in time and size): no 5xx for a caller's mistake, probes answering throughout, nothing
a caller sends can forge a log line or steer a redirect."""

import io
import json
import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.paths import SCRIPTS, TUTORIAL_SCRIPT
from tests.servers import ServerProcess, StartServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def tutorial_server(start_server: StartServer, mnist_model_dir: Path) -> ServerProcess:
    return start_server("--entry-script", TUTORIAL_SCRIPT, "--model-dir", mnist_model_dir)


def _worst_probe_while_scoring(server: ServerProcess, body: bytes) -> tuple[float, httpx.Response]:
    """The longest GET / took while `body` was being scored, and the answer to the body."""
    worst, stop = [0.0], threading.Event()

    def probe() -> None:
        while not stop.is_set():
            started = time.monotonic()
            assert httpx.get(f"{server.url}/", timeout=10).status_code == 200
            worst[0] = max(worst[0], time.monotonic() - started)
            time.sleep(0.05)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        answer = httpx.post(f"{server.url}/score", content=body, timeout=120)
    finally:
        stop.set()
        prober.join()
    return worst[0], answer


def test_diagnosing_a_large_failing_body_never_stalls_the_probes(
    tutorial_server: ServerProcess,
) -> None:
    rows = [[0.5] * 784 for _ in range(5_000)]
    good = json.dumps({"data": rows}).encode()  # ~30 MB
    rows[4_321][17] = float("nan")
    bad = json.dumps({"data": rows}, allow_nan=True).encode()  # the same, one NaN
    # The script's own json.loads and np.array hold the GIL for a while on any large body; the
    # diagnosis that follows a failure (parsing the body again, scanning every value) must add
    # no stall of its own: it runs in a thread that gives the event loop its turns.
    scored_alone, answer = _worst_probe_while_scoring(tutorial_server, good)
    assert answer.status_code == 200
    diagnosed, answer = _worst_probe_while_scoring(tutorial_server, bad)
    assert answer.status_code == 422
    assert "row 4321, column 17 is nan" in answer.json()["message"]
    assert diagnosed < scored_alone + 1.0, (
        f"GET / took {diagnosed:.2f} s while the body was diagnosed, {scored_alone:.2f} s "
        "while the same body was scored"
    )


def test_a_client_that_hangs_up_mid_body_is_not_a_server_error(
    tutorial_server: ServerProcess,
) -> None:
    port = int(tutorial_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\nx-ms-request-id: hangup-1\r\n\r\n" + b'{"data": [[0.5'
        )
    tutorial_server.wait_for_log("hangup-1")
    tutorial_server.wait_for_log('"POST /score" 499')
    log = tutorial_server.log()
    assert "Traceback" not in log and "ERROR" not in log
    assert "The client closed the connection after sending 14 of 100000 bytes" in log
    metrics = httpx.get(f"{tutorial_server.url}/metrics").text
    assert 'status="500"' not in metrics and 'status="499"' in metrics


def test_control_characters_in_a_path_cannot_forge_log_lines(
    tutorial_server: ServerProcess,
) -> None:
    forged = "2026-01-01 00:00:00,000 CRITICAL FORGED"
    httpx.get(f"{tutorial_server.url}/x%0a{forged.replace(' ', '%20')}")
    tutorial_server.wait_for_log("FORGED")
    lines = tutorial_server.log().splitlines()
    assert not any(line.startswith(forged) for line in lines)
    assert any("/x\\x0a" + forged in line for line in lines)


def _npy(array: np.ndarray, declared: tuple[int, ...] | None = None) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    data = buffer.getvalue()
    if declared is None:
        return data
    return data.replace(repr(array.shape).encode(), repr(declared).encode(), 1)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_npy(np.zeros((1, 3)), declared=(100_000_000_000, 3)), "declares shape (100000000000, 3)"),
        (_npy(np.zeros((1, 3)), declared=(1, 3, 1_000_000_000_000)), "declares shape"),
        (_npy(np.zeros((0, 3))), "send at least one row"),
    ],
)
def test_npy_bodies_that_lie_or_hold_nothing_are_the_callers_mistake(
    start_server: StartServer, body: bytes, message: str
) -> None:
    server = start_server("--entry-script", SCRIPTS / "typed_sum.py")
    answer = httpx.post(
        f"{server.url}/score",
        content=body,
        headers={"content-type": "application/x-npy", "x-ms-request-id": "npy-1"},
    )
    assert answer.status_code == 422
    assert message in answer.json()["message"]
    assert answer.json()["request_id"] == answer.headers["x-ms-request-id"] == "npy-1"


def test_a_trailing_slash_is_answered_never_redirected_by_host(
    tutorial_server: ServerProcess,
) -> None:
    body = json.dumps({"data": [[0.0] * 784]})
    answer = httpx.post(
        f"{tutorial_server.url}/score/", content=body, headers={"Host": "evil.example"}
    )
    assert answer.status_code == 200
    assert "location" not in answer.headers
    other = httpx.get(f"{tutorial_server.url}/health/ready/", headers={"Host": "evil.example"})
    assert "evil.example" not in other.headers.get("location", "")


def test_during_a_sigterm_drain_new_arrivals_are_refused_at_once_and_in_flight_finish(
    start_server: StartServer,
) -> None:
    server = start_server("--entry-script", SCRIPTS / "slow_run.py", "--workers", "2")
    answer = server.score_in_flight('{"sleep": 3}', timeout_s=20)
    server.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while server.log().count("Shutting down") < 2:  # both workers have closed their listeners
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.02)
    # Before the fix the supervisor's copy kept the listener open: the kernel accepted this
    # connection, nobody served it, and it hung until the supervisor exited and reset it.
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{server.url}/score", content='{"sleep": 0}', timeout=5)
    assert answer().json() == {"slept": 3}  # the request in flight finished
    assert server.wait_exit(30) == 0


def _raw(server: ServerProcess) -> socket.socket:
    port = int(server.url.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _answer(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_an_endless_header_is_cut_off_with_431(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py")
    with _raw(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Flood: ")
        try:
            for _ in range(100):  # 1 MB at most: the server must stop reading long before
                sock.sendall(b"a" * 10_000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"request line and headers over 65,536 bytes" in answer
    assert httpx.get(f"{server.url}/").status_code == 200
    server.wait_for_log("Closed the connection from 127.0.0.1")


def test_slow_and_silent_clients_are_closed_after_the_header_timeout(
    start_server: StartServer,
) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--header-timeout-s", "1")
    with _raw(server) as slow, _raw(server) as silent:
        slow.sendall(b"GET / HTTP/1.1\r\nHo")  # and then nothing more
        assert _answer(slow).startswith(b"HTTP/1.1 408 ")
        assert _answer(silent).startswith(b"HTTP/1.1 408 ")  # never sent a byte
    # a request that takes its time in the body is the body timeout's business, not this one
    assert httpx.post(f"{server.url}/score", content="x").status_code == 200


def test_past_the_connection_limit_requests_get_503(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--max-connections", "4")
    held = [_raw(server) for _ in range(4)]
    try:
        answer = httpx.post(f"{server.url}/score", content="x")
        assert answer.status_code == 503
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 10
    while httpx.post(f"{server.url}/score", content="x").status_code == 503:
        assert time.monotonic() < deadline, "the limit did not lift once connections closed"
        time.sleep(0.05)


def test_concurrent_large_bodies_beyond_the_memory_budget_get_503(
    start_server: StartServer,
) -> None:
    # 860 MB of memory: (860 x 0.85 - 250) / 16, a budget of about 30 MB of bodies at once
    server = start_server(
        "--entry-script",
        SCRIPTS / "slow_run.py",
        "--max-concurrent-runs",
        "2",
        env={"SCOREHOST_MEMORY_LIMIT_BYTES": str(860 * 2**20)},
    )
    body = json.dumps({"sleep": 2, "pad": "x" * (20 * 2**20)})
    first: list[httpx.Response] = []
    holder = threading.Thread(
        target=lambda: first.append(httpx.post(f"{server.url}/score", content=body, timeout=30))
    )
    holder.start()
    server.wait_in_flight(1)
    second = httpx.post(f"{server.url}/score", content=body, timeout=30)
    holder.join()
    served, refused = sorted([first[0], second], key=lambda answer: answer.status_code)
    assert (served.status_code, refused.status_code) == (200, 503)
    assert refused.headers["retry-after"] == "1"
    assert "busy with other large requests" in refused.json()["message"]
    small = httpx.post(f"{server.url}/score", content='{"sleep": 0}')
    assert small.status_code == 200
