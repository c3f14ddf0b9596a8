"""Azure ML's properties on FastAPI's own request span (FastAPI's native OpenTelemetry support
makes the span, its HTTP attributes and the request metrics): the request ids answered, the
models served, and whether run() failed, under the names Azure ML's server gives them."""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scorehost.app.aml_api.aml_response import RUN_FAILED_HEADER

# Only scoring calls are traced: not the probes, /metrics or the docs.
TRACED_PATHS = frozenset({"/score"})


def answered_ids(headers: Headers) -> dict[str, str]:
    """The request ids a response carries, under Azure ML's property names."""
    return {
        "Request Id": headers.get("x-ms-request-id", ""),
        "Client Request Id": headers.get("x-ms-client-request-id", ""),
    }


def not_traced(scope: Scope) -> bool:
    """FastAPI's `telemetry["exclude"]`."""
    return scope.get("path") not in TRACED_PATHS


class AzureMlSpanProperties:
    def __init__(self, app: ASGIApp, model_ids: list[str]) -> None:
        self.app = app
        self.models = ",".join(model_ids)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not_traced(scope):
            await self.app(scope, receive, send)
            return
        from opentelemetry import trace

        span = trace.get_current_span()

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                span.set_attributes(
                    {
                        **answered_ids(headers),
                        "Models": self.models,
                        "Run Failed": headers.get(RUN_FAILED_HEADER, "").lower() == "true",
                    }
                )
            await send(message)

        await self.app(scope, receive, send_and_note)
