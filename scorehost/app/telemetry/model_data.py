"""Model data collection, only when asked for (`AML_MODEL_DC_STORAGE_ENABLED`, as Azure ML names
it): a sample of scoring calls' inputs and predictions, each cut at a size cap, sent as one log
record per call (`model_data_collection`, as Azure ML's server sends it) beside the request item."""

import logging
import random

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scorehost.app.telemetry.middleware import answered_ids, not_traced

MODEL_DATA_LOGGER = "scorehost.model_data"
# Inputs and predictions are the user's data: they go to the telemetry backend alone (its
# handler is added to this logger), never to the container's log.
log = logging.getLogger(MODEL_DATA_LOGGER)
log.propagate = False


def _capped(data: bytes, max_bytes: int) -> str:
    text = data[:max_bytes].decode("utf-8", "replace")
    return text if len(data) <= max_bytes else f"{text}... ({len(data)} bytes, cut at {max_bytes})"


class ModelDataCollection:
    def __init__(self, app: ASGIApp, sample_rate: float, max_bytes: int) -> None:
        self.app = app
        self.sample_rate = sample_rate
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not_traced(scope) or random.random() >= self.sample_rate:  # noqa: S311 - sampling, not security
            await self.app(scope, receive, send)
            return
        received = bytearray()
        sent = bytearray()
        ids = answered_ids(Headers())  # until the response starts: no ids

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(received) <= self.max_bytes:
                received.extend(message.get("body", b""))
            return message

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                ids.update(answered_ids(Headers(raw=message["headers"])))
            elif message["type"] == "http.response.body" and len(sent) <= self.max_bytes:
                sent.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, receive_and_keep, send_and_keep)
        log.info(
            "model_data_collection",
            extra={
                "request_id": ids["Request Id"] or "-",
                **ids,
                "Input": _capped(bytes(received), self.max_bytes),
                "Prediction": _capped(bytes(sent), self.max_bytes),
            },
        )
