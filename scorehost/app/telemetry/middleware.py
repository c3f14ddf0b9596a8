"""A request span per scoring call, and request metrics, as Azure ML's server records them: the
route, status, duration, request ids, models and whether run() failed. Probes, /metrics and the
docs are not traced. The span ends after the last byte is sent; exporting is another thread's."""

import time
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scorehost.app.aml_api.aml_response import RUN_FAILED_HEADER
from scorehost.app.telemetry.providers import Telemetry

TRACED_PATHS = frozenset({"/score"})


def _url(scope: Scope) -> str:
    host = Headers(scope=scope).get("host") or "{}:{}".format(*(scope.get("server") or ("", "")))
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{scope['path']}" + (f"?{query}" if query else "")


class TelemetryMiddleware:
    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self.app = app
        self.telemetry = telemetry
        meter = telemetry.meter
        self.requests = meter.create_counter("scorehost.requests", description="/score calls")
        self.duration = meter.create_histogram(
            "scorehost.request.duration", unit="s", description="/score call duration"
        )
        self.in_flight = meter.create_up_down_counter(
            "scorehost.requests.in_flight", description="/score calls being answered"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in TRACED_PATHS:
            await self.app(scope, receive, send)
            return
        from opentelemetry.trace import SpanKind, Status, StatusCode

        method = scope["method"]
        span = self.telemetry.tracer.start_span(
            f"{method} {scope['path']}",
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": method,
                "http.route": scope["path"],
                "url.path": scope["path"],
                "url.scheme": scope.get("scheme", "http"),
                "url.full": _url(scope),
                "Models": ",".join(self.telemetry.model_ids),
            },
        )
        seen: dict[str, Any] = {"status": 500}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                seen["headers"] = Headers(raw=message["headers"])
            await send(message)

        started = time.perf_counter()
        self.in_flight.add(1)
        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self.in_flight.add(-1)
            status = seen["status"]
            headers: Headers = seen.get("headers", Headers())
            attributes = {
                "http.response.status_code": status,
                "Request Id": headers.get("x-ms-request-id", ""),
                "Client Request Id": headers.get("x-ms-client-request-id", ""),
                "Run Failed": headers.get(RUN_FAILED_HEADER, "").lower() == "true",
            }
            span.set_attributes(attributes)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR))
            span.end()
            labels = {"http.request.method": method, "http.response.status_code": status}
            self.requests.add(1, labels)
            self.duration.record(time.perf_counter() - started, labels)
