"""Run the app under uvicorn in this process, and report how it ended as an exit code."""

import logging
import os
import signal
import socket

import uvicorn

from scorehost.app.process import debugger, exit_codes, logs
from scorehost.app.process.http_limits import limited_protocol
from scorehost.app.scoring.service import ScoringService, Status
from scorehost.app.settings import Settings
from scorehost.app.web.app import ScorehostApp, create_app

log = logging.getLogger("scorehost")


def uvicorn_config(app: ScorehostApp, settings: Settings) -> uvicorn.Config:
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


def run_worker(settings: Settings, socks: list[socket.socket]) -> int:
    """Serve on `socks`, the supervisor's shared listening sockets, until stopped."""
    logs.configure(settings.log_level, settings.log_format)
    logs.route_print()
    if settings.debug_port is not None:
        debugger.attach(settings.debug_port)

    def stop_serving() -> None:
        server.should_exit = True

    app = create_app(settings, on_fatal=stop_serving)
    server = uvicorn.Server(uvicorn_config(app, settings))
    # uvicorn re-raises the stop signal once it has shut down; a stop we asked for is a clean exit.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)
    server.run(sockets=socks)
    scoring: ScoringService = app.state.scoring
    code = exit_codes.SCRIPT_FAILED if scoring.status is Status.FAILED else exit_codes.OK
    if scoring.stuck:
        # A thread is still inside user code and cannot be joined: leave without waiting for it.
        code = code or exit_codes.RECYCLE
        log.error("Exiting with a thread stuck in user code (exit code %d)", code)
        logging.shutdown()
        os._exit(code)
    return code
