"""Read a request body without ever holding more than the configured limit."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import Receive

from scorehost.app.errors import BadRequest, ClientClosed, PayloadTooLarge, RequestTimeout


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than the {limit:,}-byte limit (SCOREHOST_MAX_BODY_BYTES). "
        "Split the rows across several requests, or raise the limit."
    )


@dataclass(frozen=True)
class BodySize:
    declared: int | None  # Content-Length; None when the body is chunked or absent
    reserve: int  # what the body may take: its length, the limit when chunked, 0 when absent


def body_size(headers: Mapping[str, str], limit: int) -> BodySize:
    """What the headers say of the body; a Content-Length over `limit` is refused at once."""
    declared = headers.get("content-length")
    if declared is None:
        return BodySize(None, limit if "transfer-encoding" in headers else 0)
    if not declared.isdigit():
        raise BadRequest(f"Content-Length {declared!r} is not a number.")
    if int(declared) > limit:
        raise _too_large(limit)  # refused before reading a byte
    return BodySize(int(declared), int(declared))


async def read_limited(
    receive: Receive, limit: int, timeout_s: float, declared: int | None
) -> bytes:
    """The whole body, within `limit` bytes and `timeout_s` seconds (check its size first with
    `body_size`; `declared` is its Content-Length)."""
    chunks: list[bytes] = []
    received = 0
    try:
        async with asyncio.timeout(timeout_s):  # a slow sender must not hold a request forever
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _closed(received, declared)
                chunk = message.get("body", b"")
                if chunk:
                    chunks.append(chunk)
                    received += len(chunk)
                    if received > limit:
                        raise _too_large(limit)
                if not message.get("more_body", False):
                    break
    except TimeoutError:
        raise RequestTimeout(
            f"The request body did not arrive within {timeout_s:g} s ({received:,} bytes received)."
        ) from None
    return b"".join(chunks)  # one copy, instead of a growing buffer and a copy of it


def _closed(received: int, declared: int | None) -> ClientClosed:
    expected = "an unknown number of" if declared is None else str(declared)
    return ClientClosed(
        f"The client closed the connection after sending {received:,} of {expected} bytes."
    )
