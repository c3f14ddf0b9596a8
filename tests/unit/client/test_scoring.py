"""The Python client against a real local HTTP server: batches, retries, errors with ids."""

import io
import json
from http.server import BaseHTTPRequestHandler

import numpy as np
import pytest

from scorehost.client.errors import ScoringError
from scorehost.client.scoring import ScoringClient, scoring_url
from tests.http_fakes import body_of, local_server, reply


def test_a_service_address_becomes_its_scoring_uri() -> None:
    assert scoring_url("http://host:5001") == "http://host:5001/score"
    assert scoring_url("https://x.azurecontainer.io/score") == "https://x.azurecontainer.io/score"
    with pytest.raises(ScoringError, match="is not an http\\(s\\) URL"):
        scoring_url("host:5001")


def test_rows_go_in_batches_and_the_answers_are_joined() -> None:
    seen: list[dict[str, object]] = []

    def handle(handler: BaseHTTPRequestHandler) -> None:
        document = json.loads(body_of(handler))
        seen.append({"rows": len(document["data"]), "auth": handler.headers["authorization"]})
        reply(
            handler,
            200,
            json.dumps([row[0] for row in document["data"]]).encode(),
            "application/json",
        )

    with local_server(handle) as url, ScoringClient(url, key="k-1", batch_size=2) as client:
        labels = client.score(np.arange(5.0).reshape(5, 1))
    assert labels.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert seen == [{"rows": 2, "auth": "Bearer k-1"}] * 2 + [{"rows": 1, "auth": "Bearer k-1"}]


def test_npy_bodies_for_typed_scripts() -> None:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        assert handler.headers["content-type"] == "application/x-npy"
        array = np.load(io.BytesIO(body_of(handler)))
        reply(handler, 200, json.dumps(array.sum(axis=1).tolist()).encode(), "application/json")

    with local_server(handle) as url, ScoringClient(url, binary=True) as client:
        assert client.score([[1, 2], [3, 4]]).tolist() == [3.0, 7.0]


def test_503_is_retried_as_retry_after_says() -> None:
    answers = [503, 503, 200]

    def handle(handler: BaseHTTPRequestHandler) -> None:
        status = answers.pop(0)
        handler.send_response(status)
        handler.send_header("Retry-After", "0")
        body = b"[1]" if status == 200 else b'{"message": "loading"}'
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    with local_server(handle) as url, ScoringClient(url, retries=3) as client:
        assert client.score([[0.0]]).tolist() == [1]
    assert answers == []


def test_a_refusal_names_status_message_and_request_id() -> None:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        body = b'{"message": "row 0 has 3 values"}'
        handler.send_response(422)
        handler.send_header("x-ms-request-id", "req-42")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    with (
        local_server(handle) as url,
        ScoringClient(url) as client,
        pytest.raises(ScoringError) as info,
    ):
        client.score([[0.0]])
    assert "answered 422 Unprocessable Entity: row 0 has 3 values (request id req-42)" in str(
        info.value
    )
    assert (info.value.status_code, info.value.request_id) == (422, "req-42")


def test_non_json_and_unreachable_services_are_scoring_errors() -> None:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        reply(handler, 200, b"<html>proxy error</html>", "text/html")

    with (
        local_server(handle) as url,
        ScoringClient(url) as client,
        pytest.raises(ScoringError, match="answered 200 with non-JSON content"),
    ):
        client.score([[0.0]])
    unreachable = ScoringClient("http://127.0.0.1:9", retries=1, backoff_s=0)
    with unreachable, pytest.raises(ScoringError, match=r"cannot reach .* after 2 attempts"):
        unreachable.score([[0.0]])


def test_rows_must_be_two_dimensional() -> None:
    with ScoringClient("http://127.0.0.1:9") as client, pytest.raises(ValueError, match="2-D"):
        client.score([1.0, 2.0])
