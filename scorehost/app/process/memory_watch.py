"""Recycle a worker whose memory grew past its share: a run() that leaks, or a library's caches,
would otherwise grow until the kernel's OOM killer ends the worker in the middle of a request.

After a request (at most four times a second) the worker reads its resident size; past the
limit it logs so, counts it (scorehost_worker_recycles_total{reason="memory"}), stops taking
requests and exits once those it has are answered (exit 5); the supervisor starts another at
once. No request is lost: the listening socket stays open, and what arrives meanwhile waits
for the replacement (or another worker)."""

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("scorehost")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_STATM = Path("/proc/self/statm")
_EVERY_S = 0.25


def resident_bytes() -> int:
    """This process's resident memory (the second field of /proc/self/statm, in pages)."""
    return int(_STATM.read_bytes().split()[1]) * _PAGE


class MemoryWatch:
    def __init__(self, app: ASGIApp, limit_bytes: int, recycle: Callable[[int], None]) -> None:
        self.app = app
        self.limit_bytes = limit_bytes
        self.recycle = recycle
        self._next = 0.0
        self._recycling = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and not self._recycling:
                now = time.monotonic()
                if now >= self._next:
                    self._next = now + _EVERY_S
                    self._check()

    def _check(self) -> None:
        try:
            resident = resident_bytes()
        except OSError:
            return
        if resident > self.limit_bytes:
            self._recycling = True
            log.warning(
                "Worker %d holds %d MB, more than its %d MB share of memory: recycling it once "
                "its requests are answered",
                os.getpid(),
                resident // 2**20,
                self.limit_bytes // 2**20,
            )
            self.recycle(resident)
