"""The one error hierarchy: what went wrong, in words a caller can act on, and its status.

Pure values: nothing here knows about HTTP headers or a web framework. `app.web.errors` is the
one place these become responses."""

from typing import ClassVar


class ScorehostError(Exception):
    """An error with the status it deserves and a message a person can act on.

    `exec_ms`: how long run() ran before this error was decided, when it ran at all."""

    status_code: ClassVar[int] = 500

    def __init__(self, message: str, *, exec_ms: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exec_ms = exec_ms


class BadRequest(ScorehostError):
    """The body cannot be read as what run() parses (not UTF-8, not JSON, empty)."""

    status_code = 400


class Unauthorized(ScorehostError):
    """API keys are on and the request has none, or a wrong one."""

    status_code = 401


class RequestTimeout(ScorehostError):
    """The body did not arrive in time."""

    status_code = 408


class ClientClosed(ScorehostError):
    """The caller hung up before its body arrived: nobody to answer, and not the server's fault
    (499, as nginx names it, so 5xx alerts count server faults only)."""

    status_code = 499


class NotFound(ScorehostError):
    """What was asked for does not exist here (a Swagger version, say)."""

    status_code = 404


class PayloadTooLarge(ScorehostError):
    status_code = 413


class UnsupportedMediaType(ScorehostError):
    status_code = 415


class UnprocessableInput(ScorehostError):
    """The body parses, but its contents are not what the model accepts."""

    status_code = 422


class RunFailed(ScorehostError):
    """run() raised, or returned something that cannot be sent, for a reason not in the input."""

    status_code = 500


class NotReady(ScorehostError):
    """init() has not finished (`retry_after_s` set) or has failed (None: retrying won't help)."""

    status_code = 503

    def __init__(self, message: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Overloaded(NotReady):
    """Too many large bodies at once for this worker's memory: retry shortly."""


class ScoringTimeout(ScorehostError):
    """run(), or the wait for a free worker, exceeded SCORING_TIMEOUT_MS."""

    status_code = 504


class StreamCut(Exception):
    """A streamed answer could not go on (its generator raised or overran its deadline): it is
    logged, and the connection is closed mid-answer so the caller sees it incomplete."""
