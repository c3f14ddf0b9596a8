"""What operators see: Prometheus metrics across workers, and logs with request ids."""

import json
import re

import httpx
import pytest

from tests.paths import SCRIPTS
from tests.servers import StartServer

pytestmark = pytest.mark.e2e


def _sample(metrics: str, name: str, labels: str = "") -> float:
    pattern = "^" + re.escape(name) + (r"\{" + labels + r"\}" if labels else r"(\{[^}]*\})?")
    match = re.search(pattern + r" (\S+)$", metrics, re.MULTILINE)
    assert match, f"{name}{{{labels}}} not in metrics:\n{metrics[:3000]}"
    return float(match.groups()[-1])


def test_metrics_count_requests_of_every_worker(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--workers", "2")
    for _ in range(20):
        assert httpx.post(f"{server.url}/score", content="x" * 100).status_code == 200
    httpx.get(f"{server.url}/nope")

    metrics = httpx.get(f"{server.url}/metrics").text

    ok = 'method="POST",route="/score",status="200"'
    assert _sample(metrics, "scorehost_requests_total", ok) == 20
    assert (
        _sample(metrics, "scorehost_requests_total", 'method="GET",route="unmatched",status="404"')
        == 1
    )
    assert _sample(metrics, "scorehost_run_duration_seconds_count") == 20
    assert _sample(metrics, "scorehost_request_body_bytes_sum", 'route="/score"') == 2000
    assert _sample(metrics, "scorehost_requests_in_flight") >= 0
    assert _sample(metrics, "scorehost_init_duration_seconds") > 0
    assert 'scorehost_model_info{entry_script="' in metrics
    assert "scorehost_request_duration_seconds_bucket" in metrics


def test_json_logs_carry_the_request_id(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "run_raises.py", "--log-format", "json")
    httpx.post(f"{server.url}/score", content="boom", headers={"x-ms-request-id": "trace-42"})
    server.wait_for_log('"POST /score')

    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]

    tagged = [line for line in lines if line.get("request_id") == "trace-42"]
    assert {line["name"] for line in tagged} >= {"scorehost", "scorehost.access"}
    failure = next(line for line in tagged if line["message"] == "run() failed")
    assert failure["level"] == "ERROR"
    assert "ZeroDivisionError" in failure["exc_info"]


def test_the_scripts_own_log_lines_carry_the_request_id(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "logs_in_run.py")
    httpx.post(f"{server.url}/score", content="abc", headers={"x-ms-request-id": "mine-7"})
    server.wait_for_log("scoring abc")
    line = next(line for line in server.log().splitlines() if "scoring abc" in line)
    assert "[mine-7]" in line


def test_the_scripts_logging_and_prints_carry_the_request_id_in_json(
    start_server: StartServer,
) -> None:
    server = start_server("--entry-script", SCRIPTS / "logs_in_run.py", "--log-format", "json")
    httpx.post(f"{server.url}/score", content="abc", headers={"x-ms-request-id": "mine-8"})
    server.wait_for_log("printed abc")

    text = [line for line in server.log().splitlines() if "abc" in line]
    assert all(line.startswith("{") for line in text), text  # no plain-text line among them
    lines = {json.loads(line)["message"]: json.loads(line) for line in text}
    assert lines["scoring abc"]["request_id"] == "mine-8"
    assert lines["scoring abc"]["name"] == "score"
    assert lines["printed abc"]["request_id"] == "mine-8"
    assert lines["printed abc"]["name"] == "scorehost.print"
