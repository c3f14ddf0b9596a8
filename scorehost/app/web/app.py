"""create_app(...): the ASGI application over parts the worker built, one route table and one
middleware stack whatever the settings; nothing started at import time."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline
from starlette.middleware import Middleware

from scorehost import __version__
from scorehost.app.memory import Limits
from scorehost.app.scoring.service import ScoringService
from scorehost.app.settings import Settings
from scorehost.app.telemetry.middleware import AzureMlSpanProperties
from scorehost.app.telemetry.model_data import ModelDataCollection
from scorehost.app.telemetry.providers import Telemetry
from scorehost.app.web.auth import KeyCheck, KeyGate
from scorehost.app.web.errors import install_error_handlers
from scorehost.app.web.metrics import Metrics, MetricsMiddleware
from scorehost.app.web.openapi import openapi_builder
from scorehost.app.web.request_id import RequestIdMiddleware
from scorehost.app.web.responses import EXEC_MS_HEADER
from scorehost.app.web.routes import health, score, swagger

# Off unless configured: not even a global provider a library set up turns FastAPI's spans on.
_NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(
    settings: Settings,
    *,
    scoring: ScoringService,
    metrics: Metrics,
    telemetry: Telemetry | None,
    limits: Limits,
    lifespan: Lifespan,
) -> FastAPI:
    keys = KeyCheck.from_settings(settings)
    # /docs and /redoc load Swagger UI and ReDoc from the package, not a CDN: they work offline.
    app = FastAPIOffline(
        title="scorehost",
        version=__version__,
        description=f"Serves {settings.entry_script_path.name} with Azure ML's scoring contract: "
        "POST /score sends the request body to its run().",
        lifespan=lifespan,
        middleware=_middleware(settings, metrics, telemetry, keys),
        # Starlette's slash redirect copies the Host header into Location; /score/ is a route.
        redirect_slashes=False,
        # FastAPI's own OpenTelemetry spans and metrics, on our providers; none without them.
        telemetry=telemetry.fastapi_config() if telemetry else _NO_TELEMETRY,
    )
    app.state.settings = settings
    app.state.scoring = scoring
    install_error_handlers(app)
    # /score first: the router tries routes in order, and nearly every request is a score.
    app.router.routes[:0] = score.routes(score.ScoreEndpoint(scoring, settings, limits, keys))
    app.include_router(health.router)
    app.include_router(swagger.router)
    app.add_api_route("/metrics", metrics.render, include_in_schema=False)
    app.openapi = openapi_builder(app, scoring)  # type: ignore[method-assign]
    return app


def _middleware(
    settings: Settings, metrics: Metrics, telemetry: Telemetry | None, keys: KeyCheck
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
    if keys.enabled:  # the server's own documents behind the keys too, but on the health port
        middleware.append(Middleware(KeyGate, keys=keys, open_port=settings.health_listen_port))
    return middleware
