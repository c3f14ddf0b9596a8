"""The init()/run() contract, as Azure ML's server honours it, on a real server process."""

import json
import signal
import socket
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from tests.paths import SCRIPTS
from tests.servers import StartServer, free_port

pytestmark = pytest.mark.e2e


def test_run_gets_the_body_as_text(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py")
    response = httpx.post(f"{server.url}/score", content="héllo, {not json")
    assert response.json() == {"received": "héllo, {not json", "type": "str"}


def test_run_gets_request_headers_when_it_declares_them(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "headers.py")
    response = httpx.post(f"{server.url}/score", content="x", headers={"x-custom": "42"})
    assert response.json() == {"body": "x", "x-custom": "42"}


def test_script_imports_a_module_beside_it(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "sibling" / "score.py")
    assert httpx.post(f"{server.url}/score", content="quiet").json() == "QUIET"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("array", [[0, 1, 2], [3, 4, 5]]),
        ("strided", [0.0, 3.0, 6.0, 9.0]),
        ("scalar", 0.5),
        ("mixed", {"labels": [1, 2], "score": 0.25, "ok": True}),
    ],
)
def test_numpy_results_become_json(start_server: StartServer, kind: str, expected: object) -> None:
    server = start_server("--entry-script", SCRIPTS / "returns_numpy.py")
    assert httpx.post(f"{server.url}/score", content=kind).json() == expected


def test_unserializable_result_is_a_run_failure(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "returns_numpy.py")
    response = httpx.post(f"{server.url}/score", content="other")
    assert response.status_code == 500
    assert "run() returned object that cannot be converted to JSON" in response.json()["message"]
    assert response.headers["x-ms-run-function-failed"] == "True"


def test_failing_run_is_500_with_traceback_only_in_the_log(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "run_raises.py")

    response = httpx.post(f"{server.url}/score", content="boom", headers={"x-ms-request-id": "r-9"})

    assert response.status_code == 500
    assert response.headers["x-ms-run-function-failed"] == "True"
    assert "x-ms-run-fn-exec-ms" in response.headers
    assert "request id r-9" in response.json()["message"]
    assert "ZeroDivisionError" not in response.text
    assert httpx.post(f"{server.url}/score", content="ok").json() == "fine"
    server.wait_for_log("ZeroDivisionError: deliberate failure inside run()")
    log = server.log()
    assert "[r-9] run() failed" in log
    assert "ZeroDivisionError: deliberate failure inside run()" in log


def test_debug_setting_puts_the_traceback_in_the_response(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "run_raises.py", "--debug")
    response = httpx.post(f"{server.url}/score", content="boom")
    assert "ZeroDivisionError: deliberate failure inside run()" in response.json()["message"]


def test_run_over_the_timeout_is_504_and_the_server_keeps_serving(
    start_server: StartServer,
) -> None:
    server = start_server("--entry-script", SCRIPTS / "slow_run.py", "--scoring-timeout-ms", "1000")

    slow = httpx.post(f"{server.url}/score", content=json.dumps({"sleep": 1.3}), timeout=10)

    assert slow.status_code == 504
    assert "did not finish within 1000 ms" in slow.json()["message"]
    assert httpx.get(f"{server.url}/health/live").status_code == 200
    # The worker is recycled; while its replacement loads, requests get 503 with Retry-After.
    deadline = time.monotonic() + 30
    while True:
        fast = httpx.post(f"{server.url}/score", content=json.dumps({"sleep": 0}), timeout=10)
        if fast.status_code != 503 or time.monotonic() > deadline:
            break
        assert fast.headers["retry-after"] == "1"
        time.sleep(0.1)
    assert fast.json() == {"slept": 0}


def _three_sleeps(url: str, seconds: float, meanwhile: Callable[[], None]) -> float:
    """Send three slow requests at once, run `meanwhile` while they are in flight; seconds taken."""
    started = time.monotonic()
    body = json.dumps({"sleep": seconds})
    threads = [
        threading.Thread(target=httpx.post, args=(f"{url}/score",), kwargs={"content": body})
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    meanwhile()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def test_one_run_at_a_time_by_default(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "slow_run.py")

    def probe() -> None:  # health answers while run() calls queue: the loop is never blocked
        assert httpx.get(f"{server.url}/", timeout=1).text == "Healthy"

    assert _three_sleeps(server.url, 0.5, probe) >= 1.5


def test_concurrent_runs_when_allowed(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "slow_run.py", "--max-concurrent-runs", "3")
    assert _three_sleeps(server.url, 2, lambda: None) < 5  # one at a time would take 6 s


def test_probes_answer_while_init_is_slow(start_server: StartServer) -> None:
    server = start_server(
        "--entry-script", SCRIPTS / "slow_init.py", env={"SLOW_INIT_SECONDS": "6"}, wait=False
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            live = httpx.get(f"{server.url}/health/live")
            break
        except httpx.TransportError:
            time.sleep(0.05)
    assert live.status_code == 200
    assert httpx.get(f"{server.url}/health/ready").json()["status"] == "loading"
    assert httpx.get(f"{server.url}/").status_code == 503
    early = httpx.post(f"{server.url}/score", content="x")
    assert early.status_code == 503
    assert early.headers["retry-after"] == "1"
    assert "still loading" in early.json()["message"]
    server.wait_ready()
    assert httpx.get(f"{server.url}/").text == "Healthy"
    assert httpx.post(f"{server.url}/score", content="x").json() == "ready"


def test_openapi_documents_are_served(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py")
    swagger = httpx.get(f"{server.url}/swagger.json").json()
    assert swagger["swagger"] == "2.0" and "/score" in swagger["paths"]  # Azure ML's document
    openapi = httpx.get(f"{server.url}/openapi.json").json()
    assert set(openapi["paths"]["/score"]) == {"get", "post"}  # FastAPI's, for /docs
    assert "swagger-ui" in httpx.get(f"{server.url}/docs").text


def test_unknown_path_and_wrong_method_get_json_errors(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py")
    missing = httpx.get(f"{server.url}/nope")
    wrong = httpx.put(f"{server.url}/score")
    assert missing.status_code == 404
    assert "POST or GET /score" in missing.json()["message"]
    assert wrong.status_code == 405
    assert "POST /score" in wrong.json()["message"]


def test_sigterm_finishes_the_request_in_flight_then_exits_0(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "slow_run.py")
    answer = server.score_in_flight('{"sleep": 1}', timeout_s=10)
    server.process.send_signal(signal.SIGTERM)
    assert answer().json() == {"slept": 1}
    assert server.wait_exit(15) == 0


def test_a_health_port_answers_the_same_routes(start_server: StartServer) -> None:
    health_port = free_port()
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--health_port", str(health_port))
    assert httpx.get(f"http://127.0.0.1:{health_port}/").text == "Healthy"
    assert httpx.post(f"http://127.0.0.1:{health_port}/score", content="x").status_code == 200
    assert httpx.get(f"{server.url}/").text == "Healthy"


def test_a_debug_port_connects_each_worker_to_the_debugger(start_server: StartServer) -> None:
    with socket.create_server(("127.0.0.1", 0)) as debugger:  # VS Code's "listen" side
        debugger.settimeout(60)
        port = debugger.getsockname()[1]
        server = start_server(
            "--entry-script", SCRIPTS / "echo.py", "--debug_port", str(port), wait=False
        )
        connection, _ = debugger.accept()
        connection.close()
    server.wait_for_log("connecting to the debugger on port")
