"""Raw-HTTP scripts: the werkzeug request a @rawhttp run() gets, built from the ASGI request
(a2wsgi's environ, as Azure ML's server hands run() Flask's), and the empty answer to OPTIONS."""

import io
from typing import Any

from a2wsgi.wsgi import build_environ

from scorehost.app.aml_api.aml_request import AMLRequest
from scorehost.app.aml_api.aml_response import AMLResponse
from scorehost.app.scoring.request import ScoreRequest


def raw_request(request: ScoreRequest) -> AMLRequest:
    """The request as werkzeug sees it: the body already read (and size-limited) by the server."""
    body = io.BytesIO(request.body)
    environ: dict[str, Any] = dict(build_environ(request.scope, body))  # type: ignore[arg-type]
    # The body is whole (chunked uploads too): werkzeug may read it all, not only Content-Length.
    environ["wsgi.input_terminated"] = True
    return AMLRequest(environ)


def options_answer() -> AMLResponse:
    """OPTIONS /score for scripts that are not raw: 200 and no body, as Azure ML's server (CORS
    preflights never get here: the CORS middleware answers them)."""
    return AMLResponse("", 200)
