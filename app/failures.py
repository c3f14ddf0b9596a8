"""A failed run() as the error its caller gets: 4xx when the input explains it, else 500."""

import logging
import traceback
from typing import Any

from app.diagnose import explain
from app.entry_script import RunRaised, UserScript
from app.errors import RUN_FAILED_HEADER, RunFailed, ScorehostError, UnprocessableInput
from app.request_id import current_request_id
from app.typed_input import TypedInput

log = logging.getLogger("scorehost")


def text_failure(
    text: str, error: RunRaised, script: UserScript, timing: dict[str, str], debug: bool
) -> ScorehostError:
    """run(raw_data) raised: the body is blamed only when it explains the exception."""
    client_error = explain(text, error.original, script.expected_features())
    if client_error is not None:
        return _client_error(client_error, error, timing)
    return _server_error(error, timing, debug)


def typed_failure(
    values: dict[str, Any], error: RunRaised, typed: TypedInput, timing: dict[str, str], debug: bool
) -> ScorehostError:
    """run(**decoded) raised: shapes were checked already; NaN or infinity may be why."""
    name = typed.non_finite(values) if isinstance(error.original, ValueError) else None
    if name is not None:
        problem = UnprocessableInput(f"{name!r} contains NaN or infinite values.")
        return _client_error(problem, error, timing)
    return _server_error(error, timing, debug)


def _client_error(
    client_error: ScorehostError, error: RunRaised, timing: dict[str, str]
) -> ScorehostError:
    log.info("Rejected input: %s (run() raised %s)", client_error.message, error)
    client_error.headers.update(timing)
    return client_error


def _server_error(error: RunRaised, timing: dict[str, str], debug: bool) -> ScorehostError:
    log.error("run() failed", exc_info=error.original)
    message = (
        "run() raised an exception; the server log has its traceback under request id "
        f"{current_request_id()}."
    )
    if debug:
        message += "\n" + "".join(traceback.format_exception(error.original))
    return RunFailed(message, headers={**timing, RUN_FAILED_HEADER: "True"})
