"""A werkzeug response from run() becomes the ASGI response it describes."""

from starlette.responses import StreamingResponse
from werkzeug.wrappers import Response

from scorehost.app.web.wsgi_response import from_werkzeug


def test_status_repeated_headers_and_a_recomputed_length() -> None:
    response = Response("hello", status=418, headers=[("X-A", "1"), ("X-A", "2")])
    response.headers["Content-Length"] = "999"
    converted = from_werkzeug(response)
    assert converted.status_code == 418 and converted.body == b"hello"
    assert converted.headers.getlist("x-a") == ["1", "2"]
    assert converted.headers.getlist("content-length") == ["5"]


def test_a_generator_body_is_streamed() -> None:
    converted = from_werkzeug(Response((chunk for chunk in ("a", "b")), mimetype="text/plain"))
    assert isinstance(converted, StreamingResponse)
    assert converted.headers["content-type"].startswith("text/plain")
