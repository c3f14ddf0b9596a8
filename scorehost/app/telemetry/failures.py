"""An endpoint that cannot be reached is said once in the log, not at every export. The
exporters' own loggers (`azure.*`, `opentelemetry.*`) stop propagating to the server's log: the
first warning or error among them becomes one line of `scorehost.telemetry`, the rest are
counted, and their INFO chatter (every HTTP request azure-core makes) is dropped."""

import logging

EXPORTER_LOGGERS = ("azure", "opentelemetry")
REPORTER = "scorehost.telemetry"


class ReportOnce(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.reported = False
        self.muted = 0

    def emit(self, record: logging.LogRecord) -> None:
        if self.reported:
            self.muted += 1
            return
        self.reported = True
        logging.getLogger(REPORTER).warning(
            "Telemetry export failed (later failures are not logged; scoring is not affected): %s",
            record.getMessage().splitlines()[0],
        )


_HANDLER = ReportOnce()


def report_export_failures_once() -> ReportOnce:
    for name in EXPORTER_LOGGERS:
        logger = logging.getLogger(name)
        logger.propagate = False
        if _HANDLER not in logger.handlers:
            logger.addHandler(_HANDLER)
    return _HANDLER
