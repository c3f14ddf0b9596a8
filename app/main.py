"""create_app(settings): the whole ASGI application, nothing started at import time."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import __version__
from app.entry_script import EntryScriptError
from app.errors import install_error_handlers
from app.request_id import RequestIdMiddleware
from app.routes import health, score
from app.scoring import ScoringService
from app.settings import Settings

log = logging.getLogger("scorehost")


def create_app(settings: Settings, on_init_failure: Callable[[], None] | None = None) -> FastAPI:
    """The app; `on_init_failure` is how the process owning it is told to stop."""
    scoring = ScoringService(settings)

    async def start() -> None:
        try:
            await scoring.start()
        except EntryScriptError:
            log.exception("The scoring script cannot be served; stopping")
            if on_init_failure is not None:
                on_init_failure()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # init() runs after the socket is open, so probes answer (503 on readiness) while it loads.
        task = asyncio.create_task(start())
        yield
        task.cancel()
        scoring.stop()

    app = FastAPI(
        title="scorehost",
        version=__version__,
        description="Serves an Azure ML score.py: the request body goes to run() as text.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.scoring = scoring
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(score.router)
    app.add_api_route("/swagger.json", app.openapi, include_in_schema=False)
    return app
