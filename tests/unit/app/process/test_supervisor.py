"""How the supervisor answers a worker's death: replace it, or stop everything with a code.
(Starting, signals and real deaths: tests/e2e/test_workers.py and test_faults.py.)"""

import socket
from types import SimpleNamespace
from typing import Any

from scorehost.app import exit_codes
from scorehost.app.process.supervisor import Supervisor, _bind
from scorehost.app.settings import Settings


def _dead(exitcode: int) -> Any:
    return SimpleNamespace(pid=None, exitcode=exitcode)


def test_a_script_that_cannot_start_stops_the_server() -> None:
    supervisor = Supervisor(Settings())
    assert (
        supervisor._replacement_needed(_dead(exit_codes.SCRIPT_FAILED)) == exit_codes.SCRIPT_FAILED
    )


def test_recycled_workers_are_replaced_without_counting_as_crashes() -> None:
    supervisor = Supervisor(Settings())
    for _ in range(20):
        assert supervisor._replacement_needed(_dead(exit_codes.RECYCLE)) is None


def test_crashes_are_replaced_until_they_come_too_fast() -> None:
    supervisor = Supervisor(Settings())
    outcomes = [supervisor._replacement_needed(_dead(-9)) for _ in range(6)]
    assert outcomes == [None] * 5 + [exit_codes.CRASH_LOOP]


def test_the_listening_socket_is_shared_with_forked_workers() -> None:
    sock = _bind(Settings(host="127.0.0.1"), 0)
    try:
        assert sock.get_inheritable()
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
    finally:
        sock.close()
