"""A werkzeug response that run() returned (scorehost's AMLResponse, or Microsoft's Flask-based
one) as the ASGI response it describes: status, every header (repeated ones too) and the body,
streamed chunk by chunk when it is a generator."""

from collections.abc import Iterator

from starlette.concurrency import iterate_in_threadpool
from starlette.responses import Response, StreamingResponse
from werkzeug.wrappers import Response as WerkzeugResponse


def _chunks(response: WerkzeugResponse) -> Iterator[bytes]:
    try:
        yield from response.iter_encoded()
    finally:
        response.close()


def from_werkzeug(response: WerkzeugResponse) -> Response:
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.headers.items()
        if name.lower() != "content-length"  # the body decides it (or is chunked)
    ]
    converted: Response
    if response.is_streamed:
        # The script's generator is user code: run each step in a thread, off the event loop.
        converted = StreamingResponse(
            iterate_in_threadpool(_chunks(response)), status_code=response.status_code
        )
    else:
        converted = Response(response.get_data(), status_code=response.status_code)
    converted.raw_headers = [
        *(header for header in converted.raw_headers if header[0] == b"content-length"),
        *headers,
    ]
    return converted
