"""Several worker processes on one socket: replace crashed ones, stop all if init() fails."""

import logging
import multiprocessing
import signal
import socket
import threading
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

from app import logs
from app.server import EXIT_OK, EXIT_SCRIPT_FAILED, run_worker
from app.settings import Settings

log = logging.getLogger("scorehost.supervisor")
_spawn = multiprocessing.get_context("spawn")  # no fork: user code must not inherit our state


def _worker_main(settings: Settings, sock: socket.socket) -> None:
    raise SystemExit(run_worker(settings, sock))


def _bind(settings: Settings) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._stopping = threading.Event()
        self._workers: list[BaseProcess] = []

    def _start_worker(self, sock: socket.socket) -> BaseProcess:
        process = _spawn.Process(target=_worker_main, args=(self._settings, sock), daemon=False)
        process.start()
        log.info("Started worker process %s", process.pid)
        return process

    def _on_signal(self, signum: int, _: FrameType | None) -> None:
        log.info("Received %s; stopping workers", signal.Signals(signum).name)
        self._stopping.set()

    def run(self) -> int:
        logs.configure(self._settings.log_level)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        sock = _bind(self._settings)
        self._workers = [self._start_worker(sock) for _ in range(self._settings.workers)]
        exit_code = self._watch(sock)
        self._stop_all()
        sock.close()
        return exit_code

    def _watch(self, sock: socket.socket) -> int:
        while not self._stopping.is_set():
            wait([worker.sentinel for worker in self._workers], timeout=0.5)
            for index, worker in enumerate(self._workers):
                if worker.is_alive() or self._stopping.is_set():
                    continue
                if worker.exitcode == EXIT_SCRIPT_FAILED:
                    log.error("Worker %s could not start the scoring script; stopping", worker.pid)
                    return EXIT_SCRIPT_FAILED
                log.warning("Worker %s exited (code %s); replacing it", worker.pid, worker.exitcode)
                self._workers[index] = self._start_worker(sock)
        return EXIT_OK

    def _stop_all(self) -> None:
        for worker in self._workers:
            if worker.is_alive() and worker.pid is not None:
                worker.terminate()  # SIGTERM: uvicorn finishes in-flight requests first
        deadline = time.monotonic() + self._settings.graceful_timeout_s + 5
        for worker in self._workers:
            worker.join(max(deadline - time.monotonic(), 0))
            if worker.is_alive():
                log.warning("Worker %s did not stop in time; killing it", worker.pid)
                worker.kill()
                worker.join()
