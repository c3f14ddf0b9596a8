"""POST /score: the body, as text, to run(); its value back as JSON with Azure ML's headers."""

import json

import pytest

from tests.paths import SCRIPTS
from tests.unit.app.conftest import served


def test_the_body_reaches_run_unchanged_whatever_the_content_type() -> None:
    body = '{"data": [[1, 2]]}  '
    with served(SCRIPTS / "echo.py") as client:
        answer = client.post("/score", content=body, headers={"content-type": "text/plain"})
    assert answer.status_code == 200
    assert answer.json() == {"received": body, "type": "str"}
    assert answer.headers["content-type"] == "application/json"
    assert float(answer.headers["x-ms-run-fn-exec-ms"]) >= 0


def test_headers_reach_a_run_that_asks_for_them() -> None:
    with served(SCRIPTS / "headers.py") as client:
        answer = client.post("/score", content="b", headers={"x-custom": "42"})
    assert answer.json() == {"body": "b", "x-custom": "42"}


def test_numpy_results_are_json() -> None:
    with served(SCRIPTS / "returns_numpy.py") as client:
        assert client.post("/score", content="array").json() == [[0, 1, 2], [3, 4, 5]]
        mixed = client.post("/score", content="mixed").json()
        assert mixed == {"labels": [1, 2], "score": 0.25, "ok": True}
        unsendable = client.post("/score", content="other")
    assert unsendable.status_code == 500
    assert unsendable.headers["x-ms-run-function-failed"] == "True"
    assert "run() returned object that cannot be converted to JSON" in unsendable.json()["message"]


def test_a_failing_run_is_a_500_marked_as_the_scripts_and_logged_not_sent() -> None:
    with served(SCRIPTS / "run_raises.py") as client:
        answer = client.post("/score", content="boom", headers={"x-ms-request-id": "req-1"})
    assert answer.status_code == 500
    assert answer.headers["x-ms-run-function-failed"] == "True"
    assert "x-ms-run-fn-exec-ms" in answer.headers
    body = answer.json()
    assert body["request_id"] == "req-1"
    assert "traceback under request id req-1" in body["message"]
    assert "ZeroDivisionError" not in body["message"]


def test_debug_puts_the_traceback_in_the_answer() -> None:
    with served(SCRIPTS / "run_raises.py", debug=True) as client:
        message = client.post("/score", content="boom").json()["message"]
    assert "ZeroDivisionError: deliberate failure inside run()" in message


def test_a_body_that_explains_the_failure_is_the_callers_mistake(tmp_path: object) -> None:
    with served(SCRIPTS / "slow_run.py") as client:  # run() does json.loads(raw_data)
        broken = client.post("/score", content='{"sleep": ')
        not_utf8 = client.post("/score", content=b"\xff\xfe")
    assert broken.status_code == 400
    assert broken.json()["message"].startswith("The request body is not valid JSON")
    assert not_utf8.status_code == 400
    assert "not valid UTF-8" in not_utf8.json()["message"]


def test_npy_bodies_need_a_typed_run() -> None:
    with served(SCRIPTS / "echo.py") as client:
        answer = client.post("/score", content=b"x", headers={"content-type": "application/x-npy"})
    assert answer.status_code == 415


def test_typed_scripts_get_their_body_decoded() -> None:
    with served(SCRIPTS / "typed_sum.py") as client:
        ok = client.post("/score", content=json.dumps({"data": [[1, 2, 3], [0, 0, 1]]}))
        wrong_shape = client.post("/score", content=json.dumps({"data": [[1, 2]]}))
        failing = client.post("/score", content=json.dumps({"data": [[-1, 0, 0]]}))
    assert ok.json() == [6.0, 1.0]
    assert wrong_shape.status_code == 422
    assert "'data' has shape (1, 2); expected (n, 3)" in wrong_shape.json()["message"]
    assert failing.status_code == 500


TELEMETRY = {
    "app_insights_connection_string": (
        "InstrumentationKey=00000000-0000-4000-8000-000000000001;"
        "IngestionEndpoint=http://127.0.0.1:9/"  # nothing listens: exports fail, quietly
    ),
    "telemetry_export_timeout_s": 1,
}


@pytest.mark.parametrize("telemetry", [{}, TELEMETRY], ids=["telemetry off", "telemetry on"])
def test_one_score_route_answers_alike_with_telemetry_on_or_off(
    telemetry: dict[str, object],
) -> None:
    with served(SCRIPTS / "echo.py", **telemetry) as client:
        ok = client.post("/score", content="x", headers={"x-ms-request-id": "r-1"})
        slash = client.post("/score/", content="x")
        query = client.get("/score?a=1")
        options = client.options("/score")
        wrong_method = client.put("/score")
        not_utf8 = client.post("/score", content=b"\xff")
        too_long_id = client.post("/score", content="x", headers={"x-request-id": "i" * 101})
        metrics = client.get("/metrics").text
    assert (ok.status_code, ok.json()) == (200, {"received": "x", "type": "str"})
    assert ok.headers["x-ms-request-id"] == "r-1"
    assert ok.headers["x-ms-run-function-failed"] == "False"
    assert slash.json() == ok.json()
    assert query.json() == {"received": '{"a": 1}', "type": "str"}
    assert (options.status_code, options.content) == (200, b"")
    assert wrong_method.status_code == 405
    assert set(wrong_method.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    assert (not_utf8.status_code, not_utf8.json()["request_id"]) == (
        400,
        not_utf8.headers["x-ms-request-id"],
    )
    assert too_long_id.status_code == 431
    assert 'route="/score",status="200"' in metrics
    assert 'route="/score/",status="200"' in metrics
