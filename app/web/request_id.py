"""One id per request: the caller's x-ms-request-id / x-request-id, or a new one; echoed back."""

import logging
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.context import reset_request_id, set_request_id
from app.web.errors import unexpected_response

MAX_LENGTH = 100  # Azure ML's server refuses longer ids too
access_log = logging.getLogger("scorehost.access")


def _pick(scope: Scope) -> str:
    headers: dict[bytes, bytes] = dict(scope["headers"])
    for name in (b"x-ms-request-id", b"x-request-id"):
        raw = headers.get(name, b"").decode("latin-1").strip()
        if raw and len(raw) <= MAX_LENGTH and raw.isprintable():
            return raw
    return str(uuid.uuid4())


class RequestIdMiddleware:
    """Sets the request id, echoes it in the response, writes the access log line, and answers
    a bug anywhere below with a 500 that still carries the id.

    Pure ASGI (not BaseHTTPMiddleware) so large bodies stream through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _pick(scope)
        token = set_request_id(request_id)
        started_at, status, sent, started = time.perf_counter(), 500, 0, False

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["x-ms-request-id"] = request_id
                headers["x-request-id"] = request_id
            sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
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
