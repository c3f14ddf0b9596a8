"""Responses in Azure ML's shape: timing on every answer from run(), markers on errors."""

from starlette.responses import PlainTextResponse

from scorehost.app.aml_api.aml_response import AMLResponse
from scorehost.app.errors import (
    BadRequest,
    NotReady,
    RunFailed,
    ScorehostError,
    Unauthorized,
    UnprocessableInput,
)
from scorehost.app.scoring.entry_script import Ran
from scorehost.app.web.responses import headers_for, score_response


def test_a_result_becomes_json_with_its_timing() -> None:
    response = score_response(Ran({"a": [1, 2]}, 2.5))
    assert response.body == b'{"a":[1,2]}'
    assert response.headers["x-ms-run-fn-exec-ms"] == "2.500"


def test_a_response_from_run_passes_through_with_its_timing() -> None:
    own = PlainTextResponse("raw", status_code=202)
    response = score_response(Ran(own, 1.0))
    assert response is own
    assert response.headers["x-ms-run-fn-exec-ms"] == "1.000"


def _beyond_the_marker(error: ScorehostError) -> dict[str, str]:
    headers = headers_for(error)
    assert headers.pop("x-ms-run-function-failed") == str(isinstance(error, RunFailed))
    return headers


def test_each_kind_of_error_gets_its_headers() -> None:
    assert _beyond_the_marker(BadRequest("x")) == {}
    assert _beyond_the_marker(UnprocessableInput("x", exec_ms=3)) == {
        "x-ms-run-fn-exec-ms": "3.000"
    }
    assert _beyond_the_marker(RunFailed("x", exec_ms=1)) == {"x-ms-run-fn-exec-ms": "1.000"}
    assert _beyond_the_marker(NotReady("x", retry_after_s=1)) == {"Retry-After": "1"}
    assert _beyond_the_marker(NotReady("x")) == {}
    assert _beyond_the_marker(Unauthorized("x")) == {"WWW-Authenticate": 'Bearer realm="scorehost"'}


def test_none_from_run_is_an_empty_object_and_success_is_marked() -> None:
    response = score_response(Ran(None, 1.0))
    assert response.body == b"{}"
    assert response.headers["x-ms-run-function-failed"] == "False"


def test_an_aml_response_keeps_its_status_repeated_headers_and_body() -> None:
    own = AMLResponse("<b>hi</b>", 201, {"Content-Type": "text/html", "Vary": "a, b"})
    response = score_response(Ran(own, 2.0))
    assert response.status_code == 201 and response.body == b"<b>hi</b>"
    assert response.headers.getlist("vary") == ["a", "b"]
    assert response.headers.getlist("content-type") == ["text/html"]
    assert response.headers["content-length"] == "9"


def test_a_5xx_from_the_script_is_marked_as_its_failure() -> None:
    response = score_response(Ran(AMLResponse({"error": "x"}, 503, json_str=True), 1.0))
    assert response.headers["x-ms-run-function-failed"] == "True"
