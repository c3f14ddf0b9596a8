"""Bodies are read within a size limit and a deadline, never held past the limit."""

import asyncio
from dataclasses import dataclass, field

import pytest
from starlette.types import Message

from scorehost.app.errors import (
    BadRequest,
    ClientClosed,
    Overloaded,
    PayloadTooLarge,
    RequestTimeout,
)
from scorehost.app.web.body import BodyAdmission, BodySize, body_size, read_limited


@dataclass
class _Request:
    """What the endpoint has of a request: its headers and the ASGI receive channel."""

    chunks: list[bytes]
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False
    hang_up: bool = False

    async def receive(self) -> Message:
        if not self.chunks:
            if self.stall:
                await asyncio.sleep(3600)
            if self.hang_up:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": self.chunks.pop(0), "more_body": True}


def _request(chunks: list[bytes], content_length: str | None = None, **how: bool) -> _Request:
    headers = {"content-length": content_length} if content_length else {}
    return _Request(list(chunks), headers, **how)


def _read(request: _Request, limit: int = 10, timeout_s: float = 5) -> bytes:
    size = body_size(request.headers, limit)  # as the endpoint checks before reading
    return asyncio.run(read_limited(request.receive, limit, timeout_s, size.declared))


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


def test_the_size_a_body_will_take() -> None:
    assert body_size({"content-length": "7"}, limit=10) == BodySize(7, 7)
    chunked = body_size({"transfer-encoding": "chunked"}, limit=10)
    assert chunked == BodySize(None, 10)  # it may grow up to the limit
    assert body_size({}, limit=10) == BodySize(None, 0)


def test_a_client_that_hangs_up_is_told_apart_from_a_slow_one() -> None:
    with pytest.raises(ClientClosed, match="after sending 2 of 9 bytes"):
        _read(_request([b"ab"], content_length="9", hang_up=True))


def test_a_chunked_body_cut_short_says_its_length_was_unknown() -> None:
    with pytest.raises(ClientClosed, match="after sending 2 of an unknown number of bytes"):
        _read(_request([b"ab"], hang_up=True))


def test_bodies_share_the_budget_and_a_lone_body_always_fits() -> None:
    admission = BodyAdmission(capacity=100)
    with admission.admit(60), admission.admit(40):
        assert admission.held == 100
        with pytest.raises(Overloaded) as info, admission.admit(1):
            pass
        assert info.value.retry_after_s == 1
    assert admission.held == 0
    with admission.admit(500):  # larger than the budget, but alone
        assert admission.held == 500
