"""The serving process: worker processes on one socket, replaced when they die or hang.

The policy (docs/operations.md): a worker whose init() fails ends everything (exit 3): a broken
script must not restart in a loop (under --reload it stays up answering 503 until an edit
restarts it). A worker that exits because a run() hung (exit 4) or its memory passed its share
(exit 5) is replaced at once. A worker that dies while serving (a request it took killed it:
the OOM killer, a crash in native code) is replaced after a backoff that grows with such deaths
(0.1 s doubling to 2 s) and never stops the server: a caller must not be able to take it
down. Only workers that die before they are ready (importing, in init()) count towards giving
up: more than 5 within 60 s stop the server with exit 1. Workers die with the supervisor: each
asks the kernel for SIGTERM when its parent dies.

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
import threading
import time
from collections import deque
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any

from scorehost.app import cpu, exit_codes, probe
from scorehost.app.commands import UsageError
from scorehost.app.memory import Limits
from scorehost.app.process import logs
from scorehost.app.process.runtime import Runtime, metrics_folder
from scorehost.app.settings import Settings

log = logging.getLogger("scorehost.supervisor")
_fork = multiprocessing.get_context("fork")
_CRASH_WINDOW_S, _CRASH_LIMIT = 60.0, 5  # more deaths before ready than this in the window: stop
_BACKOFF_S, _BACKOFF_MAX_S = 0.1, 2.0  # before replacing a worker that died while serving
_PR_SET_PDEATHSIG = 1
_WORKER_OOM_SCORE_ADJ = 1000  # the highest: the first the OOM killer ends


def _die_with_parent(parent: int) -> None:
    """SIGTERM to this worker when the supervisor dies (Linux); if it is gone already, exit."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is not None:
        libc = ctypes.CDLL(name, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # died between the fork and the prctl
        os._exit(0)
    _first_for_the_oom_killer()


def _first_for_the_oom_killer() -> None:
    """When memory runs out, the kernel must end a worker (replaced), never the supervisor (the
    container with it): workers raise their oom_score_adj to the top, which needs no privilege.
    Without it the kernel picks by size alone, and once in a while the supervisor went."""
    try:
        Path("/proc/self/oom_score_adj").write_text(f"{_WORKER_OOM_SCORE_ADJ}\n")
    except OSError as exc:  # not Linux, or a /proc that refuses: the kernel's own choice
        log.debug("oom_score_adj not raised: %s", exc)


def _worker_main(
    settings: Settings, runtime: Runtime, ready: Any, parent: int, replacement: bool
) -> None:
    from scorehost.app.process.worker import run_worker  # already imported: see _preload

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handlers are not ours
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _die_with_parent(parent)
    raise SystemExit(run_worker(settings, runtime, ready, replacement))


def _preload(modules: list[str]) -> None:
    import scorehost.app.process.worker  # noqa: F401  (the web stack: fastapi, uvicorn, numpy, prometheus)

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            log.debug("Not preloading %s: %s", name, exc)


def _within(deaths: deque[float], now: float) -> int:
    """Record a death at `now`; how many the window holds."""
    deaths.append(now)
    while deaths and now - deaths[0] > _CRASH_WINDOW_S:
        deaths.popleft()
    return len(deaths)


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        killed = " (the OOM killer's signal, if memory ran out)" if name == "SIGKILL" else ""
        return f"killed by {name}{killed}"
    return f"exit code {exitcode}"


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
        self._workers: list[BaseProcess | None] = []  # None: a replacement not yet started
        self._ready: dict[int, Any] = {}  # pid -> the flag the worker sets once it is ready
        self._due: dict[int, float] = {}  # worker index -> when its replacement starts
        self._deaths: deque[float] = deque()  # before ready: they count towards giving up
        self._serving_deaths: deque[float] = deque()  # while serving: they lengthen the backoff
        self._wake_r = self._wake_w = -1  # a pipe while running: see run()
        self._changed: str | None = None  # what --reload saw change since the last restart
        self._changed_lock = threading.Lock()

    def _start_worker(self, runtime: Runtime, replacement: bool = False) -> BaseProcess:
        """`replacement`: it takes over from a worker that ended, so requests that reach it
        while its init() runs wait for it instead of getting 503."""
        ready = _fork.Value("b", 0, lock=False)
        args = (self._settings, runtime, ready, os.getpid(), replacement)
        process = _fork.Process(target=_worker_main, args=args, daemon=False)
        process.start()
        assert process.pid is not None
        self._ready[process.pid] = ready
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
        health_port = self._settings.health_listen_port
        if health_port is not None:
            try:  # the same routes on a second port, as Azure ML's server's --health_port
                socks.append(_bind(self._settings, health_port, "--health-port"))
            except BindError:
                socks[0].close()
                raise
        return socks

    def run(self) -> int:
        settings = self._settings
        # First: a port in use ends the command before anything is made or imported.
        socks = self._sockets()
        metrics_dir = metrics_folder()
        # prometheus_client reads this when it is imported, in each worker.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        # --reload restarts a single worker, whatever "auto" would make of the CPUs
        workers = 1 if settings.reload else cpu.worker_count(settings.workers)
        limits = Limits.measure(
            settings.memory_limit_bytes,
            settings.max_body_bytes,
            workers,
            settings.worker_memory_limit_bytes,
        )
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
            now = time.monotonic()
            timeout = min([0.5, *(max(due - now, 0.0) for due in self._due.values())])
            sentinels = [worker.sentinel for worker in self._workers if worker is not None]
            wait([self._wake_r, *sentinels], timeout=timeout)
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake_r, 512)
            changes = self._take_changes()
            if changes and not self._stopping.is_set():
                self._restart_all(runtime, changes)
                continue
            for index, worker in enumerate(self._workers):
                if self._stopping.is_set():
                    break
                if worker is None:
                    if self._due[index] <= time.monotonic():
                        del self._due[index]
                        self._workers[index] = self._start_worker(runtime, replacement=True)
                    continue
                if worker.is_alive():
                    continue
                code, delay = self._replacement(worker)
                if code is not None:
                    return code
                if delay:
                    self._workers[index] = None
                    self._due[index] = time.monotonic() + delay
                else:
                    self._workers[index] = self._start_worker(runtime, replacement=True)
        return exit_codes.OK

    def _replacement(self, worker: BaseProcess) -> tuple[int | None, float]:
        """(the exit code to stop with, or None), and how long to wait before replacing."""
        from prometheus_client import multiprocess

        ready = self._ready.pop(worker.pid, None) if worker.pid is not None else None
        if worker.pid is not None:
            multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
        if worker.exitcode == exit_codes.SCRIPT_FAILED:
            log.error("Worker %s could not start the scoring script; stopping", worker.pid)
            return exit_codes.SCRIPT_FAILED, 0.0
        if worker.exitcode == exit_codes.RECYCLE:
            log.warning("Worker %s recycled: a run() hung past its deadline", worker.pid)
            return None, 0.0
        if worker.exitcode == exit_codes.RECYCLE_MEMORY:
            log.warning("Worker %s recycled: its memory passed its share", worker.pid)
            return None, 0.0
        now = time.monotonic()
        how = _how_it_ended(worker.exitcode)
        if ready is not None and ready.value:
            deaths = _within(self._serving_deaths, now)
            delay = min(_BACKOFF_S * 2 ** (deaths - 1), _BACKOFF_MAX_S)
            log.warning(
                "Worker %s died while serving (%s); replacing it in %.2f s (%d such deaths in "
                "%.0f s; the request it was answering got no answer)",
                worker.pid,
                how,
                delay,
                deaths,
                _CRASH_WINDOW_S,
            )
            return None, delay
        deaths = _within(self._deaths, now)
        if deaths > _CRASH_LIMIT:
            log.error(
                "Workers died %d times before they were ready within %.0f s; stopping",
                deaths,
                _CRASH_WINDOW_S,
            )
            return exit_codes.CRASH_LOOP, 0.0
        log.warning("Worker %s died before it was ready (%s); replacing it", worker.pid, how)
        return None, 0.0

    def _restart_all(self, runtime: Runtime, changes: str) -> None:
        """--reload: new workers import the edited script; the sockets stay open throughout."""
        from prometheus_client import multiprocess

        log.info("Reloading (%s): restarting the worker", changes)
        self._stop_all()
        for worker in self._workers:
            if worker is not None and worker.pid is not None:
                multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
        self._due.clear()
        self._workers = [self._start_worker(runtime) for _ in range(runtime.workers)]

    def _stop_all(self) -> None:
        workers = [worker for worker in self._workers if worker is not None]
        for worker in workers:
            if worker.is_alive() and worker.pid is not None:
                worker.terminate()  # SIGTERM: uvicorn finishes in-flight requests first
        deadline = time.monotonic() + self._settings.graceful_timeout_s + 5
        for worker in workers:
            worker.join(max(deadline - time.monotonic(), 0))
            if worker.is_alive():
                log.warning("Worker %s did not stop in time; killing it", worker.pid)
                worker.kill()
                worker.join()
