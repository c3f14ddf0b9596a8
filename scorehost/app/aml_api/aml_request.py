"""`@rawhttp` and `AMLRequest`: a raw-HTTP run(request) gets the whole request, werkzeug's way.

Scripts import these as `azureml.contrib.services.aml_request` or
`azureml_inference_server_http.api.aml_request` (see `app.aml_api.aliases`)."""

import io
from collections.abc import Callable
from typing import IO, Any, TypeVar

from werkzeug.wrappers import Request

F = TypeVar("F", bound=Callable[..., Any])
MARK = "__scorehost_rawhttp__"


def rawhttp(function: F) -> F:
    """Mark run() as taking the request itself: `run(request: AMLRequest)`."""
    setattr(function, MARK, True)
    return function


class AMLRequest(Request):
    """The request a @rawhttp run() gets: method, path, full_path, args, headers, get_data(),
    get_json(), data, form, files, remote_addr, ... (werkzeug's Request, as under Azure ML)."""

    # Azure ML's server is Flask, whose request type is werkzeug's plus these few attributes.
    view_args: dict[str, Any] | None = None
    url_rule = None
    routing_exception = None

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        """Uploads are kept in memory: the body already is (the server read it whole, within
        its size limit), and a temporary file would share $TMPDIR with everything else and
        outlive a parse that fails half way."""
        return io.BytesIO()
