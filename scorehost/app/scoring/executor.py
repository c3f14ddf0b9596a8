"""Runs blocking user code off the event loop, a bounded number at once, under a deadline."""

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class DeadlineExceeded(Exception):
    """The call did not finish in time; `started` tells whether it is still running."""

    def __init__(self, started: bool) -> None:
        super().__init__("started" if started else "queued")
        self.started = started


class RunExecutor:
    """A dedicated pool: its size is the number of user-code calls allowed at once.

    A call that overruns its deadline cannot be killed (it is a thread): it keeps its slot,
    so the concurrency bound holds, and `stuck` tells the owner to recycle the process.
    """

    def __init__(self, max_concurrent: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="user")
        self.stuck = False

    async def call(self, function: Callable[[], T], timeout_s: float) -> T:
        # In the caller's context: the script's own log lines carry the request's id.
        future = self._pool.submit(contextvars.copy_context().run, function)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout_s)
        except TimeoutError:
            started = not future.cancel()  # cancel() only succeeds while it is still queued
            self.stuck = self.stuck or started
            raise DeadlineExceeded(started) from None

    def later(self, function: Callable[[], object]) -> None:
        """`function` on one of the pool's threads, after what is running there; not waited for
        (a generator's close() when its caller has gone)."""
        self._pool.submit(contextvars.copy_context().run, function)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
