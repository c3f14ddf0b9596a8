"""Logging to stdout, every line tagged with the request id, so container logs show it all."""

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from app.context import current_request_id

_FIELDS = "%(asctime)s %(levelname)s [%(process)d] %(name)s [%(request_id)s] %(message)s"


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def configure(level: str, log_format: str = "text") -> None:
    # print() in score.py goes to stdout too: line-buffer it so it shows up at once.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(process)d %(name)s %(request_id)s %(message)s",
                rename_fields={"levelname": "level", "asctime": "time"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(_FIELDS))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
