"""Where the workers' Prometheus files live, and how they are written so a full disk costs a
warning, never the worker.

prometheus_client's multiprocess mode keeps each worker's values in memory-mapped files that it
grows sparsely; writing into a page the filesystem cannot back kills the process with SIGBUS.
So the files live in a folder of their own on /dev/shm (memory, apart from $TMPDIR, where
everything else writes: scorehost/app/process/runtime.py), and every page is allocated
(posix_fallocate) before it is mapped: a full filesystem is then an OSError, which loses that
sample with a warning."""

import logging
import os
from typing import Any

from prometheus_client import mmap_dict, values

log = logging.getLogger("scorehost")
_warned = False


def _lost(exc: OSError) -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning("Metrics samples are being lost: cannot write the metrics files (%s)", exc)


class ReservedMmapedDict(mmap_dict.MmapedDict):
    def __init__(self, filename: str, read_mode: bool = False) -> None:
        if not read_mode:
            with open(filename, "a+b") as file:  # noqa: PTH123 - the library opens it by name too
                size = os.fstat(file.fileno()).st_size
                os.posix_fallocate(file.fileno(), 0, max(size, mmap_dict._INITIAL_MMAP_SIZE))
        super().__init__(filename, read_mode)  # type: ignore[no-untyped-call]

    def _init_value(self, key: str) -> None:
        needed, capacity = self._used + len(key.encode()) + 64, self._capacity
        while needed > capacity:
            capacity *= 2
        if capacity != self._capacity:
            os.posix_fallocate(self._f.fileno(), 0, capacity)
        super()._init_value(key)  # type: ignore[no-untyped-call]

    def write_value(self, key: str, value: float, timestamp: float) -> None:
        try:
            super().write_value(key, value, timestamp)  # type: ignore[no-untyped-call]
        except OSError as exc:
            _lost(exc)

    def read_value(self, key: str) -> Any:
        try:
            return super().read_value(key)  # type: ignore[no-untyped-call]
        except OSError as exc:
            _lost(exc)
            return 0.0, 0.0


def reserve_pages() -> None:
    """From now on, this process's metrics files are written as above."""
    values.MmapedDict = ReservedMmapedDict  # type: ignore[attr-defined]
