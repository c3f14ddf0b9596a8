"""An endpoint that cannot be reached is said once in the log, not at every export: the
exporters' own warnings after the first are dropped, and counted."""

import logging

# The loggers OpenTelemetry's and Azure Monitor's exporters report failed exports on.
EXPORTER_LOGGERS = (
    "azure.monitor.opentelemetry.exporter",
    "opentelemetry.exporter.otlp.proto.http",
    "opentelemetry.sdk._shared_internal",
    "opentelemetry.sdk.trace.export",
    "opentelemetry.sdk._logs._internal.export",
    "opentelemetry.sdk.metrics._internal.export",
)


class OnceFilter(logging.Filter):
    """Lets the first warning-or-worse record through, with a note that the rest are muted."""

    def __init__(self) -> None:
        super().__init__()
        self.reported = False
        self.muted = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        if self.reported:
            self.muted += 1
            return False
        self.reported = True
        record.msg = f"Telemetry export failed (later failures are not logged): {record.msg}"
        return True


_FILTER = OnceFilter()


def report_export_failures_once() -> OnceFilter:
    for name in EXPORTER_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    return _FILTER
