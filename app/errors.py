"""The one error policy: typed exceptions, each mapped to a status and a {"message": ...} body."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.request_id import current_request_id

log = logging.getLogger("scorehost")


class ScorehostError(Exception):
    """An error with the HTTP status it deserves and a message a person can act on."""

    status_code = 500

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(ScorehostError):
    """The body cannot be read as what run() parses (not UTF-8, not JSON, empty)."""

    status_code = 400


class Unauthorized(ScorehostError):
    status_code = 401


class RequestTimeout(ScorehostError):
    status_code = 408


class PayloadTooLarge(ScorehostError):
    status_code = 413


class UnsupportedMediaType(ScorehostError):
    status_code = 415


class UnprocessableInput(ScorehostError):
    """The body parses, but its contents are not what the model accepts."""

    status_code = 422


class NotReady(ScorehostError):
    status_code = 503


class RunFailed(ScorehostError):
    """run() raised, or returned something that cannot be sent, for a reason not in the input."""

    status_code = 500


class ScoringTimeout(ScorehostError):
    status_code = 504


# Azure ML's marker that a 5xx came from the user's run(), not from the server.
RUN_FAILED_HEADER = "x-ms-run-function-failed"


def error_response(status_code: int, message: str, headers: dict[str, str]) -> JSONResponse:
    body = {"message": message, "request_id": current_request_id()}
    return JSONResponse(body, status_code=status_code, headers=headers)


async def _scorehost_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ScorehostError)
    return error_response(exc.status_code, exc.message, exc.headers)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = {
        404: "Not found. Routes: POST /score, GET /, /health/live, /health/ready, /docs.",
        405: "Method not allowed here. Score with POST /score.",
    }.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, message, dict(exc.headers or {}))


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
    return error_response(422, f"Invalid request: {problems}", {})


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.error("Unexpected server error", exc_info=exc)
    return error_response(500, "Unexpected server error; the server log has the details.", {})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ScorehostError, _scorehost_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
