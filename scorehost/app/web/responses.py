"""Responses in Azure ML's shape: run()'s result with its timing header, errors as
`{"message", "request_id"}` with the headers their kind calls for."""

from starlette.responses import JSONResponse, Response
from werkzeug.wrappers import Response as WerkzeugResponse

from scorehost.app.aml_api.aml_response import RUN_FAILED_HEADER
from scorehost.app.context import current_request_id
from scorehost.app.errors import NotReady, RunFailed, ScorehostError, ScoringTimeout, Unauthorized
from scorehost.app.scoring.encoding import to_json
from scorehost.app.scoring.entry_script import Ran
from scorehost.app.web.wsgi_response import Stream, from_werkzeug

EXEC_MS_HEADER = "x-ms-run-fn-exec-ms"  # milliseconds inside run()
_CHALLENGE = 'Bearer realm="scorehost"'
_RUN_FAILED, _EXEC_MS = RUN_FAILED_HEADER.lower().encode(), EXEC_MS_HEADER.encode()


def _timing(exec_ms: float) -> dict[str, str]:
    return {EXEC_MS_HEADER: f"{exec_ms:.3f}"}


def score_response(ran: Ran, stream: Stream | None = None) -> Response:
    """run()'s value as JSON (`{}` for None, as Azure ML's server sends); a response that run()
    returned (AMLResponse, Flask's or Starlette's) is sent as it says. Azure ML's run() marker on
    every answer: `True` when the script's own response is a 5xx."""
    value = ran.value
    response: Response
    if isinstance(value, WerkzeugResponse):
        response = from_werkzeug(value, stream) if stream else from_werkzeug(value)
    elif isinstance(value, Response):
        response = value
    else:  # the common case, on every request: its two headers added as they are
        body = b"{}" if value is None else to_json(value, ran.exec_ms)
        response = Response(body, media_type="application/json")
        exec_ms = f"{ran.exec_ms:.3f}".encode()
        response.raw_headers += [(_RUN_FAILED, b"False"), (_EXEC_MS, exec_ms)]
        return response
    if response.status_code >= 500:
        response.headers[RUN_FAILED_HEADER] = "True"
    elif RUN_FAILED_HEADER not in response.headers:
        response.headers[RUN_FAILED_HEADER] = "False"
    response.headers.update(_timing(ran.exec_ms))
    return response


def error_response(status_code: int, message: str, headers: dict[str, str]) -> JSONResponse:
    body = {"message": message, "request_id": current_request_id()}
    return JSONResponse(body, status_code=status_code, headers=headers)


def headers_for(error: ScorehostError) -> dict[str, str]:
    """What each kind of error adds: timing, Azure's run() marker, a retry hint, a challenge."""
    headers = _timing(error.exec_ms) if error.exec_ms is not None else {}
    headers[RUN_FAILED_HEADER] = str(isinstance(error, RunFailed | ScoringTimeout))
    if isinstance(error, NotReady) and error.retry_after_s is not None:
        headers["Retry-After"] = str(error.retry_after_s)
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = _CHALLENGE
    return headers
