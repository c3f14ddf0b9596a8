"""The werkzeug request a @rawhttp run() gets is built from the ASGI request and its body."""

from scorehost.app.scoring.raw_http import options_answer, raw_request
from scorehost.app.scoring.request import ScoreRequest


def _scope(method: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> dict[str, object]:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": "/score",
        "query_string": query,
        "headers": headers,
        "client": ("10.1.2.3", 5555),
        "server": ("127.0.0.1", 5001),
    }


def test_method_query_headers_and_body() -> None:
    body = b'{"x": 1}'
    headers = [(b"content-type", b"application/json"), (b"content-length", b"8")]
    request = raw_request(ScoreRequest("POST", body, {}, (), _scope("POST", b"a=1&a=2", headers)))
    assert request.method == "POST" and request.args.getlist("a") == ["1", "2"]
    assert request.get_json() == {"x": 1}
    assert request.remote_addr == "10.1.2.3"


def test_a_chunked_body_is_read_whole() -> None:
    scope = _scope("POST", b"", [(b"transfer-encoding", b"chunked")])
    assert raw_request(ScoreRequest("POST", b"all of it", {}, (), scope)).get_data() == b"all of it"


def test_a_multipart_upload_becomes_files_and_form() -> None:
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\ndigits\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="d.png"\r\n'
        f"Content-Type: image/png\r\n\r\nPNGDATA\r\n--{boundary}--\r\n"
    ).encode()
    headers = [
        (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    request = raw_request(ScoreRequest("POST", body, {}, (), _scope("POST", b"", headers)))
    with request:
        assert request.form["name"] == "digits"
        assert request.files["image"].read() == b"PNGDATA"


def test_options_is_answered_empty() -> None:
    answer = options_answer()
    assert (answer.status_code, answer.get_data()) == (200, b"")
