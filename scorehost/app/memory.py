"""How much memory the server may use, and what that allows a request body to be: measured once
by the process that owns the server and passed down as `Limits`.

A body costs far more than its size while run() works on it: the tutorial's score.py holds the
bytes, the text, json.loads' Python lists of floats and numpy's array at once. Measured on the
tutorial's script (docs/operations.md): a worker's peak grows by 9-11x the body for short
numbers, and a red-team run saw 14.8x for a 127 MB body. The budget uses 16x:

    share       = (memory x 0.85 - 100 MB for the supervisor) / workers
    per worker  = share - 150 MB idle worker
    body limit  = min(128 MiB, per worker / 16)      # the default of max_body_bytes
    in flight   = per worker / 16 bytes of bodies at once per worker (past it: 503, retry)
    recycled    past `share` of resident memory, after its requests are answered

`memory` is the container's cgroup limit (v2 memory.max, v1 memory.limit_in_bytes), else the
machine's RAM, unless SCOREHOST_MEMORY_LIMIT_BYTES says otherwise."""

import ctypes
import ctypes.util
import functools
import os
from dataclasses import dataclass
from pathlib import Path

BYTES_PER_BODY_BYTE = 16
SHARE = 0.85  # of the container's memory; the rest is headroom for the kernel and page cache
SUPERVISOR_BYTES = 100 * 2**20
IDLE_WORKER_BYTES = 150 * 2**20
MAX_DEFAULT_BODY = 128 * 2**20
MIN_BODY = 2**20
_CGROUP_FILES = (
    Path("/sys/fs/cgroup/memory.max"),
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
)
_NO_LIMIT = 2**60  # cgroup v1 writes a huge number for "unlimited"


def container_memory(cgroup_files: tuple[Path, ...] = _CGROUP_FILES) -> int:
    for path in cgroup_files:
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < _NO_LIMIT:
            return int(text)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def body_budget(memory: int, workers: int) -> int:
    """Bytes of request bodies one worker can hold at once within its share of `memory`."""
    per_worker = (memory * SHARE - SUPERVISOR_BYTES) / workers - IDLE_WORKER_BYTES
    return max(MIN_BODY, int(per_worker / BYTES_PER_BODY_BYTE))


def worker_share(memory: int, workers: int) -> int:
    """The resident memory one worker may hold before it is recycled."""
    return int((memory * SHARE - SUPERVISOR_BYTES) / workers)


@dataclass(frozen=True)
class Limits:
    """What one worker may take in: `max_body_bytes` per request (413 past it), and
    `body_budget` bytes of bodies at once (503 past it; one body alone always fits); and how
    much memory it may hold before it is recycled (`worker_memory_bytes`, 0: never)."""

    memory_bytes: int
    max_body_bytes: int
    body_budget: int
    worker_memory_bytes: int = 0

    @classmethod
    def measure(
        cls,
        memory_bytes: int | None,
        max_body_bytes: int | None,
        workers: int,
        worker_memory_bytes: int | None = None,
    ) -> "Limits":
        """From the settings: what is not given is worked out from the container's memory."""
        memory = memory_bytes if memory_bytes is not None else container_memory()
        budget = body_budget(memory, workers)
        body = max_body_bytes if max_body_bytes is not None else min(MAX_DEFAULT_BODY, budget)
        share = (
            worker_memory_bytes
            if worker_memory_bytes is not None
            else max(worker_share(memory, workers), 2 * IDLE_WORKER_BYTES)
        )
        return cls(memory, body, max(body, budget), share)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    # find_library runs ldconfig in a subprocess: once per process, not once per request.
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name is not None else None


def return_freed_memory() -> None:
    """Hand the heap freed by a large request back to the system (glibc keeps it otherwise)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
