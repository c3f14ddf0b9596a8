"""uvicorn's httptools protocol with the limits it lacks: how large the request line and headers
may grow, and how long a client may take to send them (which also ends connections that never
send anything). Without them, one endless header or a crowd of 1-byte-a-second clients holds a
worker's memory or every file descriptor."""

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("scorehost.limits")
_STATUS = {408: b"408 Request Timeout", 431: b"431 Request Header Fields Too Large"}
_LINGER_S = 2.0


class LimitedHttpTools(HttpToolsProtocol):
    max_header_bytes = 64 * 1024
    max_headers = 100
    header_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_bytes = self._header_count = self._parsed_bytes = 0
        self._in_headers = True
        self._refused = False
        self._header_clock: asyncio.TimerHandle | None = None
        self._start_header_clock()  # a connection that never sends a byte ends too

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        in_headers = self._in_headers
        super().data_received(data)
        # httptools buffers a header until it ends: count what arrives while they are incomplete
        if in_headers and self._in_headers and not self._refused:
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                self._refuse(431, f"request line and headers over {self.max_header_bytes:,} bytes")

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_clock()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = self._header_count = self._parsed_bytes = 0
        self._in_headers = True
        if self._header_clock is None:
            self._start_header_clock()

    def on_url(self, url: bytes) -> None:
        self._parsed_bytes += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        # what was parsed, too: a whole header block in one read never counts as incomplete
        self._parsed_bytes += len(name) + len(value) + 4
        if self._header_count > self.max_headers:
            self._refuse(431, f"more than {self.max_headers} request headers")
        elif self._parsed_bytes > self.max_header_bytes:
            self._refuse(431, f"request line and headers over {self.max_header_bytes:,} bytes")
        if not self._refused:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._stop_header_clock()
        if not self._refused:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    def _start_header_clock(self) -> None:
        self._header_clock = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _stop_header_clock(self) -> None:
        if self._header_clock is not None:
            self._header_clock.cancel()
            self._header_clock = None

    def _too_slow(self) -> None:
        self._header_clock = None
        if self.cycle is None or self.cycle.response_complete:  # no request being served
            self._refuse(408, f"no complete request headers within {self.header_timeout_s:g} s")

    def _refuse(self, status: int, why: str) -> None:
        if self._refused:
            return
        self._refused = True
        self._stop_header_clock()
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "-"
        log.warning("Closed the connection from %s: %s (%d)", client, why, status)
        body = f"{why}\n".encode()
        self.transport.write(
            b"HTTP/1.1 " + _STATUS[status] + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        # A lingering close: stop writing, drop whatever still arrives for a moment, then close.
        # Closing at once would answer the client's next bytes with a reset that can destroy
        # this answer before the client reads it.
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_LINGER_S, self.transport.close)


def limited_protocol(max_header_bytes: int, header_timeout_s: float) -> type[LimitedHttpTools]:
    """The protocol class uvicorn instantiates, with these limits."""
    limits: dict[str, Any] = {
        "max_header_bytes": max_header_bytes,
        "header_timeout_s": header_timeout_s,
    }
    return type("LimitedHttpTools", (LimitedHttpTools,), limits)
