"""Prometheus metrics: what operators watch. Shared across worker processes via the
multiprocess directory the supervisor creates (PROMETHEUS_MULTIPROC_DIR)."""

import contextlib
import time
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scorehost import __version__
from scorehost.app.web.metrics_files import reserve_pages

_LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_SIZES = (100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000)


class Metrics:
    def __init__(self, multiprocess_dir: Path | None) -> None:
        self._dir = multiprocess_dir
        if multiprocess_dir is not None:
            reserve_pages()
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "scorehost_requests", "HTTP requests", ["route", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "scorehost_request_duration_seconds",
            "Request latency",
            ["route"],
            buckets=_LATENCY,
            registry=r,
        )
        self.body_bytes = Histogram(
            "scorehost_request_body_bytes",
            "Request body size",
            ["route"],
            buckets=_SIZES,
            registry=r,
        )
        self.in_flight = Gauge(
            "scorehost_requests_in_flight",
            "Requests being served",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.run_seconds = Histogram(
            "scorehost_run_duration_seconds",
            "Time inside the user's run()",
            buckets=_LATENCY,
            registry=r,
        )
        self.init_seconds = Gauge(
            "scorehost_init_duration_seconds",
            "How long init() took",
            registry=r,
            multiprocess_mode="max",
        )
        self.recycles = Counter(
            "scorehost_worker_recycles",
            "Workers recycled by the server itself",
            ["reason"],
            registry=r,
        )
        self.model_info = Gauge(
            "scorehost_model_info",
            "The served script and model",
            ["entry_script", "model_dir", "version"],
            registry=r,
            multiprocess_mode="max",
        )

    def describe_model(self, entry_script: Path, model_dir: Path | None) -> None:
        self.model_info.labels(str(entry_script), str(model_dir or ""), __version__).set(1)

    def render(self, _: Request) -> Response:
        registry = self.registry
        if self._dir is not None:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=str(self._dir))  # type: ignore[no-untyped-call]
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts every request by route template (not raw path: bounded label values)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        # Each label set's series, looked up once (prometheus_client's labels() locks each time)
        self._counters: dict[tuple[str, str, str], Any] = {}
        self._histograms: dict[str, tuple[Any, Any]] = {}

    def _record(self, route: str, method: str, status: int, seconds: float, size: int) -> None:
        key = (route, method, str(status))
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = self.metrics.requests.labels(*key)
        counter.inc()
        histograms = self._histograms.get(route)
        if histograms is None:
            metrics = self.metrics
            histograms = metrics.latency.labels(route), metrics.body_bytes.labels(route)
            self._histograms[route] = histograms
        histograms[0].observe(seconds)
        histograms[1].observe(size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status, received = time.perf_counter(), 500, 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with contextlib.suppress(OSError):  # a metrics file that cannot grow: see metrics_files
            self.metrics.in_flight.inc()
        try:
            await self.app(scope, counting_receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            with contextlib.suppress(OSError):
                self.metrics.in_flight.dec()
                self._record(
                    route, scope["method"], status, time.perf_counter() - started, received
                )
