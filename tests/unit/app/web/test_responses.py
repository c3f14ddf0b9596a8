"""Responses in Azure ML's shape: timing on every answer from run(), markers on errors."""

from starlette.responses import PlainTextResponse

from app.errors import BadRequest, NotReady, RunFailed, Unauthorized, UnprocessableInput
from app.scoring.entry_script import Ran
from app.web.responses import headers_for, score_response


def test_a_result_becomes_json_with_its_timing() -> None:
    response = score_response(Ran({"a": [1, 2]}, 2.5))
    assert response.body == b'{"a":[1,2]}'
    assert response.headers["x-ms-run-fn-exec-ms"] == "2.500"


def test_a_response_from_run_passes_through_with_its_timing() -> None:
    own = PlainTextResponse("raw", status_code=202)
    response = score_response(Ran(own, 1.0))
    assert response is own
    assert response.headers["x-ms-run-fn-exec-ms"] == "1.000"


def test_each_kind_of_error_gets_its_headers() -> None:
    assert headers_for(BadRequest("x")) == {}
    assert headers_for(UnprocessableInput("x", exec_ms=3)) == {"x-ms-run-fn-exec-ms": "3.000"}
    assert headers_for(RunFailed("x", exec_ms=1)) == {
        "x-ms-run-fn-exec-ms": "1.000",
        "x-ms-run-function-failed": "True",
    }
    assert headers_for(NotReady("x", retry_after_s=1)) == {"Retry-After": "1"}
    assert headers_for(NotReady("x")) == {}
    assert headers_for(Unauthorized("x")) == {"WWW-Authenticate": 'Bearer realm="scorehost"'}
