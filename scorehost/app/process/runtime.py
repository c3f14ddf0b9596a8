"""What the serving process makes once, before any worker starts, and hands to each of them:
the listening sockets, the measured memory limits, how many workers the CPUs allow and the
folder where workers share metrics.

Settings say what the user asked for; a Runtime is what the machine turned out to give."""

import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scorehost.app.memory import Limits
from scorehost.app.settings import Settings

_SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 - a folder of our own is made inside it


def metrics_folder() -> Path:
    """A new folder for one server's metrics files (prometheus_client's multiprocess mode): on
    /dev/shm when it is writable, apart from $TMPDIR (scorehost/app/web/metrics_files.py)."""
    base = _SHARED_MEMORY if os.access(_SHARED_MEMORY, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="scorehost-metrics-", dir=base))


@dataclass(frozen=True)
class Runtime:
    limits: Limits
    workers: int = 1
    sockets: tuple[socket.socket, ...] = ()
    metrics_dir: Path | None = None  # None: one process, metrics kept in memory

    @classmethod
    def in_process(cls, settings: Settings) -> "Runtime":
        """For an app served without the supervisor (tests, an embedding program)."""
        return cls(Limits.measure(settings.memory_limit_bytes, settings.max_body_bytes, 1))
