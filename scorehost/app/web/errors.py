"""The one place errors become HTTP: each kind of exception mapped to its response."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from scorehost.app.errors import ClientClosed, ScorehostError
from scorehost.app.web.responses import error_response, headers_for

log = logging.getLogger("scorehost")


def scorehost_error_response(exc: ScorehostError) -> JSONResponse:
    """What the caller gets for one of ours: its status, message and headers."""
    if isinstance(exc, ClientClosed):
        log.info("%s", exc.message)  # once, no traceback: the caller left, nothing broke
    return error_response(exc.status_code, exc.message, headers_for(exc))


async def _scorehost_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ScorehostError)
    return scorehost_error_response(exc)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = {
        404: "Not found. Routes: POST or GET /score, GET /, /health/live, /health/ready, "
        "/swagger.json, /docs.",
        405: "Method not allowed here. Score with POST /score (or GET with a query string).",
    }.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, message, dict(exc.headers or {}))


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
    return error_response(422, f"Invalid request: {problems}", {})


def unexpected_response(exc: BaseException) -> JSONResponse:
    """A bug in the server: logged with its traceback, answered without it. Sent by the
    request-id middleware, inside which the request's id is still known."""
    log.error("Unexpected server error", exc_info=exc)
    return error_response(500, "Unexpected server error; the server log has the details.", {})


def id_too_long_response(message: str) -> JSONResponse:
    return error_response(431, message, {})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ScorehostError, _scorehost_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
