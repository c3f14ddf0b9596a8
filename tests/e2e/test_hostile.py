"""Hostile and broken requests against the real server: never a 5xx for a client's mistake,
always a message that says what is wrong, and the server answers GET / afterwards."""

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.paths import TUTORIAL_SCRIPT
from tests.servers import ServerProcess, launch

pytestmark = pytest.mark.e2e
LIMIT = 1_000_000
ROW = [0.5] * 784


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, mnist_model_dir: Path
) -> Iterator[ServerProcess]:
    log = tmp_path_factory.mktemp("hostile") / "server.log"
    args: list[str | Path] = [
        "--entry-script",
        TUTORIAL_SCRIPT,
        "--model-dir",
        mnist_model_dir,
        "--max-body-bytes",
        str(LIMIT),
        "--body-timeout-s",
        "2",
    ]
    process = launch(args, None, log)
    process.wait_ready()
    yield process
    process.stop()


def _data(rows: object) -> bytes:
    return json.dumps({"data": rows}).encode()


# name: (body, headers, expected status, fragment of the message)
CASES: dict[str, tuple[bytes, dict[str, str], int, str]] = {
    "truncated JSON": (b'{"data": [[0.5, 0.5', {}, 400, "not valid JSON"),
    "malformed JSON": (b"{data: [[1]]}", {}, 400, "Expecting property name enclosed"),
    "trailing garbage": (_data([ROW]) + b"}}", {}, 400, "Extra data"),
    "single quotes": (b"{'data': [[1]]}", {}, 400, "not valid JSON"),
    "empty body": (b"", {}, 400, "empty"),
    "whitespace body": (b"\n\t ", {}, 400, "empty"),
    "UTF-8 BOM": (b"\xef\xbb\xbf" + _data([ROW]), {}, 400, "Unexpected UTF-8 BOM"),
    "invalid UTF-8": (b'{"data": [["\xc3\x28"]]}', {}, 400, "not valid UTF-8"),
    "latin-1 text": ('{"data": [["é"]]}'.encode("latin-1"), {}, 400, "not valid UTF-8"),
    "no data key": (
        json.dumps({"inputs": [ROW]}).encode(),
        {},
        422,
        "read the key 'data', which the JSON body does not have",
    ),
    "body is a list": (json.dumps([ROW]).encode(), {}, 422, "must be an object"),
    "body is a number": (
        b"42",
        {},
        422,
        "must be an object for run() in score.py, got the number 42",
    ),
    "body is a string": (b'"hello"', {}, 422, "must be an object"),
    "data is null": (_data(None), {}, 422, '"data" must be a list of rows, got null'),
    "data is a number": (_data(7), {}, 422, "got the number 7"),
    "data is an object": (_data({"a": 1}), {}, 422, 'was given the body\'s "data", an object'),
    "data is empty": (_data([]), {}, 422, "empty list"),
    "flat row": (_data(ROW), {}, 422, "wrap it in another list"),
    "empty row": (_data([[]]), {}, 422, "row 0 is an empty list"),
    "ragged rows": (
        _data([ROW, ROW[:700]]),
        {},
        422,
        "row 1 has 700 values, the model expects 784",
    ),
    "wrong width": (_data([[*ROW, 0.1]]), {}, 422, "row 0 has 785 values, the model expects 784"),
    "3-D rows": (_data([[ROW]]), {}, 422, "row 0, column 0 is a list"),
    "string value": (_data([["x", *ROW[1:]]]), {}, 422, "row 0, column 0 is the string 'x'"),
    "null value": (_data([[*ROW[:9], None, *ROW[10:]]]), {}, 422, "row 0, column 9 is null"),
    "boolean row": (_data([True]), {}, 422, 'item 0 of "data" is a boolean'),
    "NaN": (b'{"data": [[NaN' + b", 0.5" * 783 + b"]]}", {}, 422, "is nan"),
    "Infinity": (b'{"data": [[-Infinity' + b", 0.5" * 783 + b"]]}", {}, 422, "is -inf"),
    "out of float range": (b'{"data": [[1e400' + b", 0.5" * 783 + b"]]}", {}, 422, "is inf"),
    "huge integer": (b'{"data": [[' + b"9" * 5000 + b"]]}", {}, 400, "Exceeds the limit"),
    "big integer": (b'{"data": [[' + b"9" * 400 + b", 0.5" * 783 + b"]]}", {}, 422, "too large"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, {}, 400, "nested too deeply"),
    "long string": (_data("x" * 500_000), {}, 422, "got the string 'xxxx"),
    "duplicate keys, last wins": (b'{"data": 1, "data": [[0.5]]}', {}, 422, "row 0 has 1 values"),
    "form content type": (
        _data([ROW]),
        {"content-type": "application/x-www-form-urlencoded"},
        200,
        "",
    ),
    "no content type": (_data([ROW]), {"content-type": ""}, 200, ""),
    "text/plain": (_data([ROW]), {"content-type": "text/plain"}, 200, ""),
    "just under the limit": (b" " * (LIMIT - len(_data([ROW]))) + _data([ROW]), {}, 200, ""),
    "just over the limit": (
        b" " * (LIMIT + 1 - len(_data([ROW]))) + _data([ROW]),
        {},
        413,
        "limit",
    ),
    "request id too long": (
        _data([ROW]),
        {"x-ms-request-id": "r" * 500},
        431,
        "must not exceed 100 characters",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_hostile_body(server: ServerProcess, case: str) -> None:
    body, headers, status, message = CASES[case]
    response = httpx.post(f"{server.url}/score", content=body, headers=headers, timeout=30)
    assert response.status_code == status, response.text[:300]
    if message:
        assert message in response.json()["message"]
    assert httpx.get(f"{server.url}/").text == "Healthy"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_on_score_get_405(server: ServerProcess, method: str) -> None:
    response = httpx.request(method, f"{server.url}/score")
    assert response.status_code == 405
    assert "POST /score" in response.json()["message"]


@pytest.mark.parametrize("path", ["/nope", "/score/extra", "/../etc/passwd", "/%00"])
def test_unknown_paths_get_404(server: ServerProcess, path: str) -> None:
    response = httpx.get(f"{server.url}{path}")
    assert response.status_code in (400, 404)
    assert httpx.get(f"{server.url}/").text == "Healthy"


def _raw(server: ServerProcess, data: bytes, wait_s: float = 5) -> bytes:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait_s) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def test_content_length_larger_than_the_body_times_out_with_408(server: ServerProcess) -> None:
    answer = _raw(server, b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{}")
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"did not arrive within 2 s" in answer
    assert httpx.get(f"{server.url}/").text == "Healthy"


def test_content_length_smaller_than_the_body_never_reaches_5xx(server: ServerProcess) -> None:
    body = _data([ROW])
    request = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n"
    answer = _raw(server, request + body)
    assert answer.startswith(b"HTTP/1.1 4")
    assert b"HTTP/1.1 5" not in answer


def test_declared_length_over_the_limit_is_refused_before_reading(server: ServerProcess) -> None:
    head = f"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: {LIMIT * 50}\r\n\r\n"
    answer = _raw(server, head.encode())
    assert answer.startswith(b"HTTP/1.1 413")


def test_slow_senders_do_not_block_anyone(server: ServerProcess) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    slow = [socket.create_connection((host, int(port))) for _ in range(50)]
    try:
        for sock in slow:
            sock.sendall(b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Le")  # headers, slowly
        started = time.monotonic()
        assert httpx.post(f"{server.url}/score", content=_data([ROW])).status_code == 200
        assert time.monotonic() - started < 2
    finally:
        for sock in slow:
            sock.close()


def test_many_keep_alive_connections(server: ServerProcess) -> None:
    clients = [httpx.Client(base_url=server.url) for _ in range(100)]
    try:
        statuses = {client.get("/").status_code for client in clients}
        statuses |= {client.post("/score", content=_data([ROW])).status_code for client in clients}
    finally:
        for client in clients:
            client.close()
    assert statuses == {200}
    assert httpx.get(f"{server.url}/").text == "Healthy"
