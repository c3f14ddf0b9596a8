"""`AMLResponse`: what a raw-HTTP run() returns to set the status, headers and body itself.

The constructor behaves as Azure ML's: `json_str=True` sends `message` as JSON, otherwise it is
the body as given (str, bytes, or an iterable of chunks, which is streamed); `None` sends `{}`;
each header value is split at commas into repeated headers."""

import json
from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Response

RUN_FAILED_HEADER = "x-ms-run-function-failed"  # True: a 5xx came from run(), not the server


class AMLResponse(Response):
    # Azure ML's AMLResponse is Flask's Response, whose bodies are HTML unless said otherwise
    # (werkzeug's own default is text/plain): AMLResponse("text", 200) is text/html here too.
    default_mimetype = "text/html"

    def __init__(
        self,
        message: Any,
        status_code: int,
        response_headers: Mapping[str, str] | None = None,
        json_str: bool = False,
        run_function_failed: bool = False,
    ) -> None:
        headers = dict(response_headers or {})
        if message is None:
            super().__init__(json.dumps({}), status=status_code, mimetype="application/json")
        elif json_str:
            super().__init__(json.dumps(message), status=status_code, mimetype="application/json")
        else:
            super().__init__(message, status=status_code)
            if "Content-Type" in headers:
                self.headers.remove("Content-Type")  # the script's own is added below
        self.headers[RUN_FAILED_HEADER] = str(run_function_failed)
        # Repeated headers are written comma-separated (RFC 9110, 5.3), as Azure ML reads them.
        for name, value in headers.items():
            for part in value.split(","):
                self.headers.add_header(name, part.strip())
