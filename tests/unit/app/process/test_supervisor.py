"""How the supervisor answers a worker's death: replace it, or stop everything with a code.
(Starting, signals and real deaths: tests/e2e/test_workers.py and test_faults.py.)"""

import socket
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from scorehost.app import exit_codes
from scorehost.app.process.supervisor import Supervisor, _bind
from scorehost.app.settings import Settings


@pytest.fixture(autouse=True)
def _metrics_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # as the supervisor sets it


def _dead(supervisor: Supervisor, exitcode: int, ready: bool = False) -> Any:
    """A dead worker, the supervisor knowing whether it had become ready."""
    pid = 10_000 + len(supervisor._ready)
    supervisor._ready[pid] = SimpleNamespace(value=int(ready))
    return SimpleNamespace(pid=pid, exitcode=exitcode)


def test_a_script_that_cannot_start_stops_the_server() -> None:
    supervisor = Supervisor(Settings())
    code, _ = supervisor._replacement(_dead(supervisor, exit_codes.SCRIPT_FAILED))
    assert code == exit_codes.SCRIPT_FAILED


def test_recycled_workers_are_replaced_at_once_without_counting_as_crashes() -> None:
    supervisor = Supervisor(Settings())
    for code in [exit_codes.RECYCLE, exit_codes.RECYCLE_MEMORY] * 10:
        assert supervisor._replacement(_dead(supervisor, code, ready=True)) == (None, 0.0)


def test_deaths_before_ready_are_replaced_until_they_come_too_fast() -> None:
    supervisor = Supervisor(Settings())
    outcomes = [supervisor._replacement(_dead(supervisor, -9))[0] for _ in range(6)]
    assert outcomes == [None] * 5 + [exit_codes.CRASH_LOOP]


def test_deaths_while_serving_never_stop_the_server_and_back_off() -> None:
    supervisor = Supervisor(Settings())
    outcomes = [supervisor._replacement(_dead(supervisor, -9, ready=True)) for _ in range(12)]
    assert all(code is None for code, _ in outcomes)
    delays = [delay for _, delay in outcomes]
    assert delays[:4] == [0.1, 0.2, 0.4, 0.8]
    assert max(delays) == 2.0


def test_the_listening_socket_is_shared_with_forked_workers() -> None:
    sock = _bind(Settings(host="127.0.0.1"), 0)
    try:
        assert sock.get_inheritable()
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
    finally:
        sock.close()
