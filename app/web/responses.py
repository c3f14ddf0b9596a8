"""Responses in Azure ML's shape: run()'s result with its timing header, errors as
`{"message", "request_id"}` with the headers their kind calls for."""

from starlette.responses import JSONResponse, Response

from app.context import current_request_id
from app.errors import NotReady, RunFailed, ScorehostError, Unauthorized
from app.scoring.encoding import to_json
from app.scoring.entry_script import Ran

EXEC_MS_HEADER = "x-ms-run-fn-exec-ms"  # milliseconds inside run()
RUN_FAILED_HEADER = "x-ms-run-function-failed"  # a 5xx came from the user's run(), not the server
_CHALLENGE = 'Bearer realm="scorehost"'


def _timing(exec_ms: float) -> dict[str, str]:
    return {EXEC_MS_HEADER: f"{exec_ms:.3f}"}


def score_response(ran: Ran) -> Response:
    """run()'s value as JSON; a Response that run() returned is passed through as it is."""
    if isinstance(ran.value, Response):
        ran.value.headers.update(_timing(ran.exec_ms))
        return ran.value
    body = to_json(ran.value, ran.exec_ms)
    return Response(body, media_type="application/json", headers=_timing(ran.exec_ms))


def error_response(status_code: int, message: str, headers: dict[str, str]) -> JSONResponse:
    body = {"message": message, "request_id": current_request_id()}
    return JSONResponse(body, status_code=status_code, headers=headers)


def headers_for(error: ScorehostError) -> dict[str, str]:
    """What each kind of error adds: timing, Azure's run() marker, a retry hint, a challenge."""
    headers = _timing(error.exec_ms) if error.exec_ms is not None else {}
    if isinstance(error, RunFailed):
        headers[RUN_FAILED_HEADER] = "True"
    if isinstance(error, NotReady) and error.retry_after_s is not None:
        headers["Retry-After"] = str(error.retry_after_s)
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = _CHALLENGE
    return headers
