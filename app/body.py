"""Read a request body without ever holding more than the configured limit."""

from starlette.requests import Request

from app.errors import BadRequest, PayloadTooLarge


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than the {limit:,}-byte limit (SCOREHOST_MAX_BODY_BYTES). "
        "Split the rows across several requests, or raise the limit."
    )


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest(f"Content-Length {declared!r} is not a number.")
        if int(declared) > limit:
            raise _too_large(limit)  # refused before reading a byte
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise _too_large(limit)
    return bytes(chunks)
