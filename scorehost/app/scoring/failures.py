"""A failed run() as the error its caller gets: 4xx when the input explains it, else RunFailed."""

import logging
import traceback
from typing import Any

from werkzeug.exceptions import HTTPException

from scorehost.app.context import current_request_id
from scorehost.app.errors import (
    BadRequest,
    PayloadTooLarge,
    RunFailed,
    ScorehostError,
    UnprocessableInput,
    UnsupportedMediaType,
)
from scorehost.app.scoring.diagnose import explain
from scorehost.app.scoring.entry_script import RunRaised, UserScript
from scorehost.app.scoring.typed_input import TypedInput

log = logging.getLogger("scorehost")
_WERKZEUG_CLIENT_ERRORS: dict[int, type[ScorehostError]] = {
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


def text_failure(text: str, error: RunRaised, script: UserScript, debug: bool) -> ScorehostError:
    """run(raw_data) raised: the body is blamed only when it explains the exception."""
    client_error = explain(text, error.original, script.expected_features(), script.path.name)
    if client_error is not None:
        return _client_error(client_error, error)
    return run_failed(error, debug)


def typed_failure(
    values: dict[str, Any], error: RunRaised, typed: TypedInput, debug: bool
) -> ScorehostError:
    """run(**decoded) raised: shapes were checked already; NaN or infinity may be why."""
    name = typed.non_finite(values) if isinstance(error.original, ValueError) else None
    if name is not None:
        return _client_error(
            UnprocessableInput(f"{name!r} contains NaN or infinite values."), error
        )
    return run_failed(error, debug)


def raw_failure(error: RunRaised, debug: bool) -> ScorehostError:
    """A @rawhttp run() raised: werkzeug's own 4xx (a malformed JSON or form body read through
    the request) is the caller's mistake; anything else is the script's."""
    original = error.original
    if isinstance(original, HTTPException) and original.code is not None and original.code < 500:
        kind = _WERKZEUG_CLIENT_ERRORS.get(original.code, BadRequest)
        return _client_error(kind(f"{original.name}: {original.description}"), error)
    return run_failed(error, debug)


def _client_error(client_error: ScorehostError, error: RunRaised) -> ScorehostError:
    log.info("Rejected input: %s (run() raised %s)", client_error.message, error)
    client_error.exec_ms = error.exec_ms
    return client_error


def run_failed(error: RunRaised, debug: bool) -> RunFailed:
    """A bug in run(): its traceback goes to the server log, and to the caller only in debug."""
    log.error("run() failed", exc_info=error.original)
    message = (
        "run() raised an exception; the server log has its traceback under request id "
        f"{current_request_id()}."
    )
    if debug:
        message += "\n" + "".join(traceback.format_exception(error.original))
    return RunFailed(message, exec_ms=error.exec_ms)
