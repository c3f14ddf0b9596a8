"""Read a request body without ever holding more than the configured limit."""

import asyncio

from starlette.requests import ClientDisconnect, Request

from scorehost.app.errors import BadRequest, ClientClosed, PayloadTooLarge, RequestTimeout


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than the {limit:,}-byte limit (SCOREHOST_MAX_BODY_BYTES). "
        "Split the rows across several requests, or raise the limit."
    )


async def read_limited(request: Request, limit: int, timeout_s: float) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest(f"Content-Length {declared!r} is not a number.")
        if int(declared) > limit:
            raise _too_large(limit)  # refused before reading a byte
    chunks: list[bytes] = []
    received = 0
    try:
        async with asyncio.timeout(timeout_s):  # a slow sender must not hold a request forever
            async for chunk in request.stream():
                chunks.append(chunk)
                received += len(chunk)
                if received > limit:
                    raise _too_large(limit)
    except TimeoutError:
        raise RequestTimeout(
            f"The request body did not arrive within {timeout_s:g} s ({received:,} bytes received)."
        ) from None
    except ClientDisconnect:
        raise ClientClosed(
            f"The client closed the connection after sending {received:,} of "
            f"{declared or 'an unknown number of'} bytes."
        ) from None
    return b"".join(chunks)  # one copy, instead of a growing buffer and a copy of it
