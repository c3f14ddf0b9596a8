"""Request ids as Azure ML's server keeps them, echoed on every response, and the access log.

- `x-request-id`: the caller's, or a new UUID.
- `x-ms-client-request-id`: the caller's, echoed when sent; an `x-ms-request-id` sent without
  it stands in for it (the older name).
- `x-ms-request-id`: the caller's, else the client request id, else `x-request-id`. This is
  the id log lines and error bodies carry: the one the caller is likeliest to know.
- Any of them over 100 characters: 431, as Azure ML's server answers.
Plus Azure ML's `TraceId` echo and `x-ms-server-version`."""

import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scorehost import __version__
from scorehost.app.context import reset_request_id, set_request_id
from scorehost.app.errors import StreamCut
from scorehost.app.web.errors import id_too_long_response, unexpected_response

MAX_LENGTH = 100  # Azure ML's server refuses longer ids
SERVER_VERSION = f"scorehost/{__version__}"
access_log = logging.getLogger("scorehost.access")
_ID_HEADERS = frozenset(
    {b"x-request-id", b"x-ms-request-id", b"x-ms-client-request-id", b"traceid"}
)


class IdTooLong(Exception):
    """A request id header is over MAX_LENGTH characters (the message names it)."""


@dataclass(frozen=True)
class RequestIds:
    request_id: str  # x-request-id
    legacy: str  # x-ms-request-id
    client: str  # x-ms-client-request-id, "" when the caller sent none

    @classmethod
    def read(cls, headers: Mapping[str, str]) -> "RequestIds":
        request_id = headers.get("x-request-id") or str(uuid.uuid4())
        if len(request_id) > MAX_LENGTH:
            raise IdTooLong(f"x-request-id must not exceed {MAX_LENGTH} characters")
        legacy = headers.get("x-ms-request-id", "")
        client = headers.get("x-ms-client-request-id", "")
        if legacy:
            client = client or legacy
        else:
            legacy = client or request_id
        if len(legacy) > MAX_LENGTH or len(client) > MAX_LENGTH:
            raise IdTooLong(
                f"x-ms-request-id and x-ms-client-request-id must not exceed {MAX_LENGTH} "
                "characters"
            )
        return cls(request_id, legacy, client)

    def echoed(self) -> list[tuple[bytes, bytes]]:
        """The response headers that echo these ids."""
        echoed = [
            (b"x-request-id", self.request_id.encode("latin-1")),
            (b"x-ms-request-id", self.legacy.encode("latin-1")),
        ]
        if self.client:
            echoed.append((b"x-ms-client-request-id", self.client.encode("latin-1")))
        return echoed


def _replace(
    raw: list[tuple[bytes, bytes]], ours: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """`raw` with `ours` in place of any header of the same name, in one pass (Starlette's
    MutableHeaders scans all headers once per name set: on every response, that added up)."""
    names = {name for name, _ in ours}
    return [header for header in raw if header[0].lower() not in names] + ours


def _id_headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The id headers a request carries, each name's first value (as Starlette's Headers reads
    them), in one pass: the middleware runs on every request."""
    found: dict[str, str] = {}
    for name, value in raw:  # ASGI header names are lower-case
        if name in _ID_HEADERS:
            found.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return found


class RequestIdMiddleware:
    """Sets the request id, echoes it in the response, writes the access log line, and answers
    a bug anywhere below with a 500 that still carries the id.

    Pure ASGI (not BaseHTTPMiddleware) so large bodies stream through untouched."""

    def __init__(self, app: ASGIApp, server_version_header: bool = True) -> None:
        self.app = app
        self._static = (
            [(b"x-ms-server-version", SERVER_VERSION.encode())] if server_version_header else []
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = _id_headers(scope["headers"])
        ids: RequestIds | None
        try:
            ids = RequestIds.read(request_headers)
        except IdTooLong as exc:
            ids, refusal = None, str(exc)
        token = set_request_id(ids.legacy if ids else str(uuid.uuid4()))
        trace_id = request_headers.get("traceid")
        if trace_id is not None and len(trace_id) > MAX_LENGTH:
            trace_id = None  # echoed as it came only when it is an id's length
        started_at, status, sent, started = time.perf_counter(), 500, 0, False

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                ours = ids.echoed() if ids is not None else []
                if trace_id is not None:  # Office services' own tracing header
                    ours.append((b"traceid", trace_id.encode("latin-1")))
                ours += self._static
                message["headers"] = _replace(list(message.get("headers", [])), ours)
            sent += len(message.get("body", b""))
            await send(message)

        try:
            if ids is None:
                await id_too_long_response(refusal)(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        except StreamCut:
            if not started:
                raise
            # logged where it happened; returning without the last chunk makes the server close
            # the connection, so the caller sees the answer incomplete
        except Exception as exc:
            if started:
                raise  # a response is under way: nothing more can be sent
            await unexpected_response(exc)(scope, receive, send_with_id)
        finally:
            client = (scope.get("client") or ("-",))[0]
            elapsed_ms = (time.perf_counter() - started_at) * 1000
            access_log.info(
                '%s "%s %s" %d %.1f ms %d B',
                client,
                scope["method"],
                scope["path"],
                status,
                elapsed_ms,
                sent,
            )
            reset_request_id(token)
