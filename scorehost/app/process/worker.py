"""One worker process, assembled in one place: its metrics, telemetry and scoring service, the
app over them, and uvicorn serving it on the supervisor's sockets. The worker owns how its
process ends: it stops when the script cannot start or a run() hangs, and says so in its exit
code (scorehost/app/process/exit_codes.py)."""

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from scorehost.app import exit_codes
from scorehost.app.process import debugger, logs
from scorehost.app.process.http_limits import limited_protocol
from scorehost.app.process.memory_watch import MemoryWatch
from scorehost.app.process.runtime import Runtime
from scorehost.app.scoring.entry_script import EntryScriptError, user_frames
from scorehost.app.scoring.service import ScoringService, Status
from scorehost.app.settings import Settings
from scorehost.app.telemetry import providers as telemetry_providers
from scorehost.app.web.app import create_app
from scorehost.app.web.metrics import Metrics

log = logging.getLogger("scorehost")


def uvicorn_config(app: ASGIApp, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep our logging setup (request ids, stdout)
        access_log=False,  # the request-id middleware writes the access line
        timeout_graceful_shutdown=max(1, round(settings.graceful_timeout_s)),
        http=limited_protocol(settings.max_header_bytes, settings.header_timeout_s),
        limit_concurrency=settings.max_connections,
        lifespan="on",
    )


class Worker:
    """Everything one worker process serves with; `app` can also be driven in-process."""

    def __init__(
        self, settings: Settings, runtime: Runtime, ready: Any = None, replacement: bool = False
    ) -> None:
        self.settings = settings
        self.runtime = runtime
        self._ready = ready  # a shared flag the supervisor reads when this process dies
        self._recycled_for_memory = False
        self.metrics = Metrics(runtime.metrics_dir)
        self.metrics.describe_model(settings.entry_script_path, settings.model_dir)
        self.telemetry = telemetry_providers.start(settings)
        self.scoring = ScoringService(
            settings,
            on_stuck=self.recycle_for_timeout,
            observe_run=self.metrics.run_seconds.observe,
            workers=runtime.workers,
            hold_while_loading=replacement,
        )
        self.app = create_app(
            settings,
            scoring=self.scoring,
            metrics=self.metrics,
            telemetry=self.telemetry,
            limits=runtime.limits,
            lifespan=self._lifespan,
        )
        self.stopping = False
        self._server: uvicorn.Server | None = None

    @asynccontextmanager
    async def _lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        # init() runs after the socket is open, so probes answer (503 on readiness) while it loads.
        task = asyncio.create_task(self._start_scoring())
        yield
        task.cancel()
        self.scoring.stop()
        if self.telemetry is not None:  # the last batch, bounded by the export timeout
            self.telemetry.shutdown(deadline_s=2 * self.settings.telemetry_export_timeout_s)

    async def _start_scoring(self) -> None:
        try:
            await self.scoring.start()
        except EntryScriptError as exc:
            self._report(exc)
            if self.settings.reload:  # no crash loop: answer 503 with the error until an edit
                log.error("Waiting for a change to the script (--reload); /score answers 503")
                return
            self.stop()
            return
        self.metrics.init_seconds.set(self.scoring.init_seconds or 0.0)
        if self._ready is not None:
            self._ready.value = 1

    def _report(self, exc: EntryScriptError) -> None:
        if self.settings.debug:
            log.exception("The scoring script cannot be served")
            return
        # the cause and the user's own lines; --debug shows the whole traceback
        log.error("The scoring script cannot be served: %s", exc)
        for frame in user_frames(exc, self.settings.entry_script_path.parent):
            log.error("  at %s", frame)

    def stop(self) -> None:
        """Stop serving: the script cannot start, or a run() overran and holds its thread."""
        self.stopping = True
        if self._server is not None:
            self._server.should_exit = True

    def recycle_for_timeout(self) -> None:
        """A run() overran and holds its thread: stop once the others are answered (exit 4)."""
        if not self.stopping:
            self.metrics.recycles.labels("timeout").inc()
        self.stop()

    def recycle_for_memory(self, resident: int) -> None:
        """Stop taking requests and exit once those taken are answered (exit 5)."""
        self._recycled_for_memory = True
        self.metrics.recycles.labels("memory").inc()
        self.stop()

    def exit_code(self) -> int:
        if self.scoring.status is Status.FAILED:
            return exit_codes.SCRIPT_FAILED
        if self.scoring.stuck:
            return exit_codes.RECYCLE
        return exit_codes.RECYCLE_MEMORY if self._recycled_for_memory else exit_codes.OK

    def serve(self) -> int:
        """Serve on the runtime's sockets until stopped; the exit code says why it ended."""
        limit = self.runtime.limits.worker_memory_bytes
        app = MemoryWatch(self.app, limit, self.recycle_for_memory) if limit else self.app
        self._server = uvicorn.Server(uvicorn_config(app, self.settings))
        # uvicorn re-raises the stop signal once it has shut down; a stop we asked for is clean.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: None)
        self._server.run(sockets=list(self.runtime.sockets))
        return self.exit_code()


def run_worker(
    settings: Settings, runtime: Runtime, ready: Any = None, replacement: bool = False
) -> int:
    """The body of a worker process; `ready` is set once the script is ready."""
    logs.configure(settings.log_level, settings.log_format)
    logs.route_print()
    if settings.debug_port is not None:
        debugger.attach(settings.debug_port)
    worker = Worker(settings, runtime, ready, replacement)
    code = worker.serve()
    if worker.scoring.stuck:
        # A thread is still inside user code and cannot be joined: leave without waiting for it.
        log.error("Exiting with a thread stuck in user code (exit code %d)", code)
        logging.shutdown()
        os._exit(code)
    return code
