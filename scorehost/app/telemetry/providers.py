"""The OpenTelemetry providers of one worker: spans, log records and metrics, each exported in
batches by a background thread, to Azure Monitor and/or OTLP. Nothing here runs in a request."""

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

from fastapi.telemetry import TelemetryConfig

from scorehost.app.commands import MissingExtra
from scorehost.app.settings import Settings
from scorehost.app.telemetry.destinations import ConnectionStringProblem, Destinations, destinations
from scorehost.app.telemetry.failures import REPORTER, report_export_failures_once
from scorehost.app.telemetry.middleware import not_traced
from scorehost.app.telemetry.model_data import MODEL_DATA_LOGGER
from scorehost.app.telemetry.models import model_ids

log = logging.getLogger("scorehost")
# The server's log records and the script's prints (scorehost.print) go to the telemetry
# backends; not the access log, which the request items say better (and probes are not sent).
EXPORTED_LOGGER = "scorehost"
_NOT_EXPORTED = frozenset({"scorehost.access", REPORTER})
# Batches go every 5 s (OTEL_BSP_SCHEDULE_DELAY, OTEL_BLRP_SCHEDULE_DELAY), metrics every 60 s
# (OTEL_METRIC_EXPORT_INTERVAL): OpenTelemetry's own defaults and variables.


@dataclass
class Telemetry:
    tracer_provider: Any  # opentelemetry.sdk.trace.TracerProvider
    meter_provider: Any  # opentelemetry.sdk.metrics.MeterProvider
    logger_provider: Any  # opentelemetry.sdk._logs.LoggerProvider
    model_ids: list[str]
    _handler: logging.Handler

    def fastapi_config(self) -> TelemetryConfig:
        """FastAPI's `telemetry=`: its request spans and metrics on these providers, for the
        scoring route alone."""
        return {
            "tracer_provider": self.tracer_provider,
            "meter_provider": self.meter_provider,
            "logger_provider": self.logger_provider,
            "exclude": not_traced,
            "operation_spans": False,
        }

    def shutdown(self, deadline_s: float) -> None:
        """Flush what is batched and stop the exporters, giving up after `deadline_s` (an
        endpoint that never answers must not hold the worker's exit)."""
        logging.getLogger(EXPORTED_LOGGER).removeHandler(self._handler)
        logging.getLogger(MODEL_DATA_LOGGER).removeHandler(self._handler)

        def stop_all() -> None:
            for provider in (self.tracer_provider, self.logger_provider, self.meter_provider):
                provider.shutdown()

        stopping = threading.Thread(target=stop_all, name="telemetry-shutdown", daemon=True)
        stopping.start()
        stopping.join(deadline_s)
        if stopping.is_alive():
            log.warning("Telemetry not flushed within %.0f s; the rest is dropped", deadline_s)


def _exporters(where: Destinations, timeout_s: float) -> tuple[list[Any], list[Any], list[Any]]:
    spans: list[Any] = []
    logs: list[Any] = []
    metrics: list[Any] = []
    if where.azure_connection_string is not None:
        from azure.monitor.opentelemetry.exporter import (
            AzureMonitorLogExporter,
            AzureMonitorMetricExporter,
            AzureMonitorTraceExporter,
        )

        options = {"connection_string": where.azure_connection_string, "timeout": timeout_s}
        spans.append(AzureMonitorTraceExporter(**options))
        logs.append(AzureMonitorLogExporter(**options))
        metrics.append(AzureMonitorMetricExporter(**options))
    if where.otlp_endpoint is not None:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        base = where.otlp_endpoint.rstrip("/")
        spans.append(OTLPSpanExporter(endpoint=f"{base}/v1/traces", timeout=timeout_s))
        logs.append(OTLPLogExporter(endpoint=f"{base}/v1/logs", timeout=timeout_s))
        metrics.append(OTLPMetricExporter(endpoint=f"{base}/v1/metrics", timeout=timeout_s))
    return spans, logs, metrics


def start(settings: Settings) -> Telemetry | None:
    """The worker's telemetry, or None when none is configured or it cannot start (said once,
    as a warning: serving goes on without it)."""
    try:
        where = destinations(settings)
    except ConnectionStringProblem as exc:
        log.warning(
            "Telemetry is off: the Application Insights connection string cannot be used: %s "
            "(copy it from the resource's Overview page in the Azure portal)",
            exc,
        )
        return None
    if not where.any:
        return None
    # The Azure exporter's own usage statistics go to Microsoft, not to the user's resource.
    os.environ.setdefault("APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL", "true")
    try:
        return _start(settings, where)
    except ModuleNotFoundError as exc:
        log.warning("Telemetry is off: %s", MissingExtra(exc.name or "?", "telemetry", "it"))
        return None
    except Exception as exc:  # noqa: BLE001 - an exporter refusing its settings (Authorization=AAD
        # without a credential, ...): serving goes on, as the README promises
        log.warning("Telemetry is off: the exporter cannot start: %s: %s", type(exc).__name__, exc)
        return None


def _start(settings: Settings, where: Destinations) -> Telemetry:
    from opentelemetry.instrumentation.logging.handler import LoggingHandler
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    report_export_failures_once()
    timeout_s = settings.telemetry_export_timeout_s
    span_exporters, log_exporters, metric_exporters = _exporters(where, timeout_s)
    resource = Resource.create({"service.name": settings.service_name, "process.pid": os.getpid()})
    timeout_ms = int(timeout_s * 1000)
    tracing = TracerProvider(resource=resource)
    for exporter in span_exporters:
        tracing.add_span_processor(BatchSpanProcessor(exporter, export_timeout_millis=timeout_ms))
    logging_provider = LoggerProvider(resource=resource)
    for exporter in log_exporters:
        processor = BatchLogRecordProcessor(exporter, export_timeout_millis=timeout_ms)
        logging_provider.add_log_record_processor(processor)
    readers = [
        PeriodicExportingMetricReader(exporter, export_timeout_millis=timeout_ms)
        for exporter in metric_exporters
    ]
    metering = MeterProvider(resource=resource, metric_readers=readers)
    # Azure's exporters read the resource from the global providers: this process's are these.
    from opentelemetry import _logs, metrics, trace

    trace.set_tracer_provider(tracing)
    _logs.set_logger_provider(logging_provider)
    metrics.set_meter_provider(metering)
    handler = LoggingHandler(level=logging.INFO, logger_provider=logging_provider)
    handler.addFilter(lambda record: record.name not in _NOT_EXPORTED)
    logging.getLogger(EXPORTED_LOGGER).addHandler(handler)
    logging.getLogger(MODEL_DATA_LOGGER).addHandler(handler)  # its records stop there
    return Telemetry(
        tracer_provider=tracing,
        meter_provider=metering,
        logger_provider=logging_provider,
        model_ids=model_ids(settings.model_dir),
        _handler=handler,
    )
