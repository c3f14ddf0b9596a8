"""How many bytes of request bodies one worker takes in at once, so that concurrent large
requests stay within its share of memory (scorehost/app/process/memory.py); past it: 503, retry."""

from collections.abc import Iterator
from contextlib import contextmanager

from scorehost.app.errors import Overloaded

LARGE_BODY = 8 * 2**20  # after a body this large, freed memory is handed back to the system


class BodyAdmission:
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
