"""Logging to stdout, every line tagged with the request id, so container logs show it all."""

import builtins
import logging
import re
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from scorehost.app.context import current_request_id

_FIELDS = "%(asctime)s %(levelname)s [%(process)d] %(name)s [%(request_id)s] %(message)s"
# Control characters a caller can put in a logged field (a %0a in a URL path): one record must
# stay one line, so nobody can forge log lines. A traceback's lines follow it, each indented
# (an exception's message can hold a caller's text, line breaks and all): no line of one can
# start where a record starts.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_INDENT = "    "


def escape_controls(text: str) -> str:
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def indented(text: str) -> str:
    """Every line of a traceback indented, and its control characters escaped."""
    return "\n".join(_INDENT + escape_controls(line) for line in text.splitlines())


class _OneLineFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        record.request_id = escape_controls(str(getattr(record, "request_id", "-")))
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return indented(super().formatStack(stack_info))


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
        handler.setFormatter(_OneLineFormatter(_FIELDS))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


_print = builtins.print
_print_log = logging.getLogger("scorehost.print")


def _print_to_log(*values: Any, sep: str | None = " ", file: Any = None, **kwargs: Any) -> None:
    if file is None or file is sys.stdout:
        _print_log.info("%s", (" " if sep is None else sep).join(map(str, values)))
    else:
        _print(*values, sep=sep, file=file, **kwargs)


def route_print() -> None:
    """print() to stdout becomes a log line (tagged with the request id, in the log format),
    as under Azure ML's server; print(..., file=...) elsewhere is left alone."""
    builtins.print = _print_to_log
