"""What the serving process makes once, before any worker starts, and hands to each of them:
the listening sockets, the measured memory limits, how many workers the CPUs allow and the
folder where workers share metrics.

Settings say what the user asked for; a Runtime is what the machine turned out to give."""

import socket
from dataclasses import dataclass
from pathlib import Path

from scorehost.app.memory import Limits
from scorehost.app.settings import Settings


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
