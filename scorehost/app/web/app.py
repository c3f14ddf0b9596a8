"""create_app(settings): the whole ASGI application, nothing started at import time."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from scorehost import __version__
from scorehost.app.scoring.entry_script import EntryScriptError, user_frames
from scorehost.app.scoring.service import ScoringService
from scorehost.app.settings import Settings
from scorehost.app.telemetry import providers as telemetry_providers
from scorehost.app.telemetry.middleware import AzureMlSpanProperties
from scorehost.app.telemetry.model_data import ModelDataCollection
from scorehost.app.web.errors import install_error_handlers
from scorehost.app.web.metrics import Metrics, MetricsMiddleware
from scorehost.app.web.openapi import openapi_builder
from scorehost.app.web.request_id import RequestIdMiddleware
from scorehost.app.web.responses import EXEC_MS_HEADER
from scorehost.app.web.routes import health, score, swagger

log = logging.getLogger("scorehost")
# Off unless configured: not even a global provider a library set up turns FastAPI's spans on.
_NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(settings: Settings, on_fatal: Callable[[], None] = lambda: None) -> "ScorehostApp":
    """The app; `on_fatal` tells the process owning it to stop (init failed, or a run() hung
    and the process must be recycled)."""
    metrics = Metrics(settings.metrics_dir)
    telemetry = telemetry_providers.start(settings)
    metrics.describe_model(settings.entry_script_path, settings.model_dir)
    scoring = ScoringService(settings, on_stuck=on_fatal, observe_run=metrics.run_seconds.observe)

    async def start() -> None:
        try:
            await scoring.start()
        except EntryScriptError as exc:
            if settings.debug:
                log.exception("The scoring script cannot be served")
            else:  # the cause and the user's own lines; --debug shows the whole traceback
                log.error("The scoring script cannot be served: %s", exc)
                for frame in user_frames(exc, settings.entry_script_path.parent):
                    log.error("  at %s", frame)
            if settings.reload:  # no crash loop: answer 503 with the error until the next edit
                log.error("Waiting for a change to the script (--reload); /score answers 503")
                return
            on_fatal()
            return
        metrics.init_seconds.set(scoring.init_seconds or 0.0)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # init() runs after the socket is open, so probes answer (503 on readiness) while it loads.
        task = asyncio.create_task(start())
        yield
        task.cancel()
        scoring.stop()
        if telemetry is not None:  # the last batch, bounded by the export timeout
            telemetry.shutdown(deadline_s=2 * settings.telemetry_export_timeout_s)

    middleware = _middleware(settings, metrics, telemetry)
    # /docs and /redoc load Swagger UI and ReDoc from the package, not a CDN: they work offline.
    app = FastAPIOffline(
        title="scorehost",
        version=__version__,
        description=f"Serves {settings.entry_script_path.name} with Azure ML's scoring contract: "
        "POST /score sends the request body to its run().",
        lifespan=lifespan,
        middleware=middleware,
        # Starlette's slash redirect copies the Host header into Location; /score/ is a route.
        redirect_slashes=False,
        # FastAPI's own OpenTelemetry spans and metrics, on our providers; none without them.
        telemetry=telemetry.fastapi_config() if telemetry else _NO_TELEMETRY,
    )
    endpoint = score.ScoreEndpoint(scoring, settings)
    app.state.settings = settings
    app.state.scoring = scoring
    app.state.score_endpoint = endpoint
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(score.router)
    app.openapi = openapi_builder(app, scoring)  # type: ignore[method-assign]
    app.include_router(swagger.router)
    app.add_api_route("/metrics", metrics.render, include_in_schema=False)
    # FastAPI's spans need its routing; without them /score skips it.
    return ScorehostApp(app, _wrapped(endpoint, middleware) if telemetry is None else None)


def _middleware(
    settings: Settings, metrics: Metrics, telemetry: telemetry_providers.Telemetry | None
) -> list[Middleware]:
    """Around every request, outermost first."""
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["x-ms-request-id", EXEC_MS_HEADER],
            )
        )
    if telemetry is not None:
        if settings.model_data_collection:
            middleware.append(
                Middleware(
                    ModelDataCollection,
                    sample_rate=settings.model_data_sample_rate,
                    max_bytes=settings.model_data_max_bytes,
                )
            )
        # around the request ids, so it sees the ones answered
        middleware.append(Middleware(AzureMlSpanProperties, model_ids=telemetry.model_ids))
    middleware.append(
        Middleware(RequestIdMiddleware, server_version_header=settings.server_version_header)
    )
    middleware.append(Middleware(MetricsMiddleware, metrics=metrics))
    return middleware


def _wrapped(app: ASGIApp, middleware: list[Middleware]) -> ASGIApp:
    """`app` inside `middleware`, as Starlette stacks it."""
    for cls, args, kwargs in reversed(middleware):
        app = cls(app, *args, **kwargs)
    return app


class ScorehostApp:
    """The ASGI app uvicorn serves: FastAPI's, except that /score may go straight to its
    endpoint inside the same middleware (FastAPI's routing and dependency injection cost more
    than the rest of a one-row request)."""

    def __init__(self, fastapi: FastAPI, score_lane: ASGIApp | None) -> None:
        self.fastapi = fastapi
        self.state = fastapi.state
        self._lane = score_lane
        # The route each path matches, as FastAPI's routing would set it (metrics label by it).
        self._routes: dict[str, BaseRoute] = {}
        for route in score.router.routes:
            path = getattr(route, "path", None)
            if path in score.PATHS:
                self._routes.setdefault(path, route)

    def openapi(self) -> dict[str, Any]:
        return self.fastapi.openapi()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self._lane
        if (
            lane is not None
            and scope["type"] == "http"
            and scope["path"] in score.PATHS
            and scope["method"] in score.METHODS
        ):
            scope["app"] = self.fastapi
            scope["route"] = self._routes[scope["path"]]
            await lane(scope, receive, send)
            return
        await self.fastapi(scope, receive, send)
