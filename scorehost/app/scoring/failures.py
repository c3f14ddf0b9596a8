"""A failed run() as the error its caller gets: the input's fault (a 4xx, logged at INFO), or
the script's (RunFailed, its traceback logged)."""

import logging
import traceback

from scorehost.app.context import current_request_id
from scorehost.app.errors import RunFailed, ScorehostError
from scorehost.app.scoring.entry_script import RunRaised

log = logging.getLogger("scorehost")


def client_error(client_error: ScorehostError, error: RunRaised) -> ScorehostError:
    """The input explains why run() raised: `client_error` goes to the caller."""
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
