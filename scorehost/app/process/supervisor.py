"""The serving process: worker processes on one socket, replaced when they die or hang.

A worker whose init() fails ends everything (exit 3): a broken script must not restart in a
loop (under --reload it stays up answering 503 until an edit restarts it). A worker that exits
because a run() hung (exit 4) or that crashes is replaced.

Workers are forked from this process after it has imported the server and the libraries in
SCOREHOST_PRELOAD (never the user's script): each worker, and each replacement, starts with
those imports done, so it is ready sooner and shares their memory pages."""

import contextlib
import errno
import gc
import importlib
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections import deque
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from scorehost.app import cpu, exit_codes, probe
from scorehost.app.commands import UsageError
from scorehost.app.memory import Limits
from scorehost.app.process import logs
from scorehost.app.process.runtime import Runtime
from scorehost.app.settings import Settings

log = logging.getLogger("scorehost.supervisor")
_fork = multiprocessing.get_context("fork")
_CRASH_WINDOW_S, _CRASH_LIMIT = 60.0, 5  # more unexpected deaths than this in the window: stop


def _worker_main(settings: Settings, runtime: Runtime) -> None:
    from scorehost.app.process.worker import run_worker  # already imported: see _preload

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handlers are not ours
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    raise SystemExit(run_worker(settings, runtime))


def _preload(modules: list[str]) -> None:
    import scorehost.app.process.worker  # noqa: F401  (the web stack: fastapi, uvicorn, numpy, prometheus)

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            log.debug("Not preloading %s: %s", name, exc)


class BindError(UsageError):
    """The address cannot be listened on; the message names it and the way out."""


def _bind(
    settings: Settings, port: int, flag: str = "--port (make serve PORT=...)"
) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, port))
    except OSError as exc:
        sock.close()
        where = f"{settings.host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise BindError(
                f"port {port} is in use ({where}): stop what listens there, or pick "
                f"another with {flag}"
            ) from None
        raise BindError(f"cannot listen on {where}: {exc.strerror} (set --host)") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._stopping = threading.Event()
        self._workers: list[BaseProcess] = []
        self._deaths: deque[float] = deque()
        self._wake_r = self._wake_w = -1  # a pipe while running: see run()
        self._changed: str | None = None  # what --reload saw change since the last restart
        self._changed_lock = threading.Lock()

    def _start_worker(self, runtime: Runtime) -> BaseProcess:
        process = _fork.Process(target=_worker_main, args=(self._settings, runtime), daemon=False)
        process.start()
        log.info("Started worker process %s", process.pid)
        return process

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.write(self._wake_w, b"!")

    def _on_signal(self, signum: int, _: FrameType | None) -> None:
        log.info("Received %s; stopping workers", signal.Signals(signum).name)
        self._stopping.set()
        self._wake()

    def _on_change(self, changes: str) -> None:
        with self._changed_lock:
            self._changed = f"{self._changed}, {changes}" if self._changed else changes
        self._wake()

    def _take_changes(self) -> str | None:
        with self._changed_lock:
            changes, self._changed = self._changed, None
        return changes

    def _sockets(self) -> list[socket.socket]:
        socks = [_bind(self._settings, self._settings.port)]
        if self._settings.health_port is not None:
            try:  # the same routes on a second port, as Azure ML's server's --health_port
                socks.append(_bind(self._settings, self._settings.health_port, "--health-port"))
            except BindError:
                socks[0].close()
                raise
        return socks

    def run(self) -> int:
        settings = self._settings
        # First: a port in use ends the command before anything is made or imported.
        socks = self._sockets()
        metrics_dir = Path(tempfile.mkdtemp(prefix="scorehost-metrics-"))
        # prometheus_client reads this when it is imported, in each worker.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        # --reload restarts a single worker, whatever "auto" would make of the CPUs
        workers = 1 if settings.reload else cpu.worker_count(settings.workers)
        limits = Limits.measure(settings.memory_limit_bytes, settings.max_body_bytes, workers)
        runtime = Runtime(limits, workers, tuple(socks), metrics_dir)
        logs.configure(settings.log_level, settings.log_format)
        _preload(settings.preload)
        # Preloaded objects live for the whole process: keep them out of every worker's garbage
        # collections (which parsing a large body triggers often) and off copy-on-write pages.
        gc.freeze()
        # A signal writes to this pipe, so the watch loop wakes at once, not at its next timeout.
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        os.set_blocking(self._wake_r, False)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        log.info(
            "Serving %s (model dir %s) on http://%s:%d with %d worker(s)",
            settings.entry_script_path,
            settings.model_dir or "unset",
            settings.host,
            settings.port,
            workers,
        )
        self._announce(socks[-1])  # the health port's socket when there is one
        reloader = None
        if settings.reload:
            from scorehost.app.process.reloader import Reloader

            reloader = Reloader(settings, self._on_change)
            reloader.start()
        try:
            self._workers = [self._start_worker(runtime) for _ in range(workers)]
            exit_code = self._watch(runtime)
            if reloader is not None:
                reloader.stop()
            # Stop accepting at once: with this copy closed, the listener closes as each worker
            # closes its own on SIGTERM, so a new arrival is refused instead of queued unserved.
            for sock in socks:
                sock.close()
            self._stop_all()
        finally:
            for sock in socks:
                sock.close()
            os.close(self._wake_r)
            os.close(self._wake_w)
            shutil.rmtree(metrics_dir, ignore_errors=True)
            if settings.probe_file is not None:
                settings.probe_file.unlink(missing_ok=True)
        return exit_code

    def _announce(self, sock: socket.socket) -> None:
        """--probe-file: where the container's HEALTHCHECK finds the health URL."""
        if self._settings.probe_file is None:
            return
        try:
            probe.announce(self._settings.probe_file, probe.health_url(sock))
        except OSError as exc:  # no writable place: the probe fails, serving goes on
            log.warning("cannot write the probe file %s: %s", self._settings.probe_file, exc)

    def _watch(self, runtime: Runtime) -> int:
        while not self._stopping.is_set():
            wait([self._wake_r, *(worker.sentinel for worker in self._workers)], timeout=0.5)
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake_r, 512)
            changes = self._take_changes()
            if changes and not self._stopping.is_set():
                self._restart_all(runtime, changes)
                continue
            for index, worker in enumerate(self._workers):
                if worker.is_alive() or self._stopping.is_set():
                    continue
                code = self._replacement_needed(worker)
                if code is not None:
                    return code
                self._workers[index] = self._start_worker(runtime)
        return exit_codes.OK

    def _replacement_needed(self, worker: BaseProcess) -> int | None:
        """None to replace the dead worker, or the exit code to stop with."""
        from prometheus_client import multiprocess

        if worker.pid is not None:
            multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
        if worker.exitcode == exit_codes.SCRIPT_FAILED:
            log.error("Worker %s could not start the scoring script; stopping", worker.pid)
            return exit_codes.SCRIPT_FAILED
        if worker.exitcode == exit_codes.RECYCLE:
            log.warning("Worker %s recycled: a run() hung past its deadline", worker.pid)
            return None
        now = time.monotonic()
        self._deaths.append(now)
        while self._deaths and now - self._deaths[0] > _CRASH_WINDOW_S:
            self._deaths.popleft()
        if len(self._deaths) > _CRASH_LIMIT:
            log.error(
                "Workers died %d times within %.0f s; stopping", len(self._deaths), _CRASH_WINDOW_S
            )
            return exit_codes.CRASH_LOOP
        log.warning("Worker %s exited (code %s); replacing it", worker.pid, worker.exitcode)
        return None

    def _restart_all(self, runtime: Runtime, changes: str) -> None:
        """--reload: new workers import the edited script; the sockets stay open throughout."""
        from prometheus_client import multiprocess

        log.info("Reloading (%s): restarting the worker", changes)
        self._stop_all()
        for worker in self._workers:
            if worker.pid is not None:
                multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
        self._workers = [self._start_worker(runtime) for _ in range(runtime.workers)]

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
