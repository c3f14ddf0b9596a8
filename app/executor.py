"""Runs blocking user code off the event loop, a bounded number at once, under a deadline."""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from app.errors import ScoringTimeout

T = TypeVar("T")
log = logging.getLogger("scorehost")


class RunExecutor:
    """A dedicated pool: its size is the number of run() calls allowed at once.

    A call that overruns its deadline cannot be killed (it is a thread); it keeps its slot until
    it returns, so the concurrency bound holds even then.
    """

    def __init__(self, max_concurrent: int, timeout_ms: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="run")
        self._timeout_ms = timeout_ms

    async def call(self, function: Callable[[], T]) -> T:
        future = self._pool.submit(function)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self._timeout_ms / 1000)
        except TimeoutError:
            if future.cancel():
                raise ScoringTimeout(
                    f"The request waited {self._timeout_ms} ms (SCORING_TIMEOUT_MS) for a free "
                    "worker without run() starting; the service is overloaded. Retry later."
                ) from None
            log.error("run() exceeded %d ms and is still running in its thread", self._timeout_ms)
            raise ScoringTimeout(
                f"run() did not finish within {self._timeout_ms} ms (SCORING_TIMEOUT_MS)."
            ) from None

    async def call_unbounded(self, function: Callable[[], T]) -> T:
        """For init(): same thread pool, no deadline."""
        return await asyncio.wrap_future(self._pool.submit(function))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
