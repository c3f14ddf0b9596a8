"""Bodies are read within a size limit and a deadline, never held past the limit."""

import asyncio

import pytest
from starlette.requests import Request
from starlette.types import Message

from scorehost.app.errors import BadRequest, PayloadTooLarge, RequestTimeout
from scorehost.app.web.body import read_limited


def _request(
    chunks: list[bytes], content_length: str | None = None, stall: bool = False
) -> Request:
    headers = [(b"content-length", content_length.encode())] if content_length else []
    pending = list(chunks)

    async def receive() -> Message:
        if not pending:
            if stall:
                await asyncio.sleep(3600)
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": pending.pop(0), "more_body": True}

    return Request({"type": "http", "method": "POST", "headers": headers}, receive)


def _read(request: Request, limit: int = 10, timeout_s: float = 5) -> bytes:
    return asyncio.run(read_limited(request, limit, timeout_s))


def test_the_whole_body_in_one_piece() -> None:
    assert _read(_request([b"ab", b"cd"])) == b"abcd"


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    with pytest.raises(PayloadTooLarge, match="larger than the 10-byte limit"):
        _read(_request([], content_length="11"))


def test_a_chunked_body_over_the_limit_is_refused_as_it_arrives() -> None:
    with pytest.raises(PayloadTooLarge):
        _read(_request([b"123456", b"789012"]))


def test_a_content_length_that_is_not_a_number() -> None:
    with pytest.raises(BadRequest, match="Content-Length '1e3' is not a number"):
        _read(_request([], content_length="1e3"))


def test_a_slow_sender_times_out() -> None:
    with pytest.raises(RequestTimeout, match=r"did not arrive within 0.05 s \(2 bytes received\)"):
        _read(_request([b"ab"], stall=True), timeout_s=0.05)
