"""A werkzeug response that run() returned (scorehost's AMLResponse, or Microsoft's Flask-based
one) as the ASGI response it describes: status, every header (repeated ones too) and the body,
streamed chunk by chunk when it is a generator. What HTTP cannot carry (a status outside
100-599, a header name that is not a token, a value with a line break or outside Latin-1) is
the script's mistake, answered 500 with what it was."""

import re
from collections.abc import AsyncIterator, Callable, Iterator

from starlette.concurrency import iterate_in_threadpool
from starlette.responses import Response, StreamingResponse
from werkzeug.wrappers import Response as WerkzeugResponse

from scorehost.app.errors import RunFailed

Stream = Callable[[Iterator[bytes], Callable[[], object]], AsyncIterator[bytes]]
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110's field name
_BREAKS = re.compile(r"[\r\n\x00]")


def _headers(response: WerkzeugResponse) -> list[tuple[bytes, bytes]]:
    headers = []
    for name, value in response.headers.items():
        if name.lower() == "content-length":
            continue  # the body decides it (or is chunked)
        if not _TOKEN.fullmatch(name):
            raise RunFailed(
                f"run() returned a response with a header named {name!r}, which "
                "HTTP cannot carry: a header name is letters, digits and !#$%&'*+-.^_`|~"
            )
        if _BREAKS.search(value):
            raise RunFailed(
                f"run() returned header {name} with a line break in its value, "
                "which HTTP cannot carry"
            )
        try:
            encoded = value.encode("latin-1")
        except UnicodeEncodeError:
            raise RunFailed(
                f"run() returned header {name} = {value[:60]!r}: HTTP header values "
                "are Latin-1; encode other text (percent-encoding, or in the body)"
            ) from None
        headers.append((name.lower().encode("latin-1"), encoded))
    return headers


async def _in_threads(chunks: Iterator[bytes], close: Callable[[], object]) -> AsyncIterator[bytes]:
    """Without a scoring service (an app driven in-process): each step in a thread."""
    try:
        async for chunk in iterate_in_threadpool(chunks):
            yield chunk
    finally:
        close()


def from_werkzeug(response: WerkzeugResponse, stream: Stream = _in_threads) -> Response:
    """`stream` runs a generator's steps as run() runs (the scoring service's, in its slots)."""
    status = response.status_code
    if not 100 <= status <= 599:
        raise RunFailed(f"run() returned a response with status {status}; HTTP has 100-599")
    headers = _headers(response)
    converted: Response
    if response.is_streamed:
        converted = StreamingResponse(
            stream(response.iter_encoded(), response.close), status_code=status
        )
    else:
        converted = Response(response.get_data(), status_code=status)
    converted.raw_headers = [
        *(header for header in converted.raw_headers if header[0] == b"content-length"),
        *headers,
    ]
    return converted
