"""How a request body comes in within the worker's limits (scorehost/app/memory.py): its declared
size checked before a byte is read, its share of the worker's budget of bodies in flight (past
it: 503, retry), then the body read within the size limit and the time allowed."""

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.types import Receive

from scorehost.app.errors import (
    BadRequest,
    ClientClosed,
    Overloaded,
    PayloadTooLarge,
    RequestTimeout,
)

LARGE_BODY = 8 * 2**20  # after a body this large, freed memory is handed back to the system


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


class BodyAdmission:
    """The bytes of bodies one worker takes in at once, so that concurrent large requests stay
    within its share of memory."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.held = 0

    @contextmanager
    def admit(self, size: int) -> Iterator[None]:
        """Hold `size` bytes of the budget while the request is served. A body alone is always
        admitted (max_body_bytes bounds it); one more is refused when the budget is spent."""
        if self.held and self.held + size > self.capacity:
            raise Overloaded(
                f"The server is busy with other large requests ({self.held:,} bytes in flight, "
                f"{self.capacity:,} at most). Retry shortly, or send fewer rows per request.",
                retry_after_s=1,
            )
        self.held += size
        try:
            yield
        finally:
            self.held -= size


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
