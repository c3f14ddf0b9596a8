"""Request ids, TraceId, the server version and the headers run() is given."""

import uuid

import httpx
import pytest

from tests.compat.conftest import Servers

pytestmark = pytest.mark.compat


def _ids(answer: httpx.Response) -> tuple[str | None, str | None, str | None]:
    headers = answer.headers
    return (
        headers.get("x-request-id"),
        headers.get("x-ms-request-id"),
        headers.get("x-ms-client-request-id"),
    )


def test_a_new_request_id_when_none_is_sent(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "query.py")
    request_id, legacy, client = _ids(httpx.post(f"{server.url}/score", content="{}"))
    assert request_id is not None
    uuid.UUID(request_id)
    assert (legacy, client) == (request_id, None)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ({"x-request-id": "r-1"}, ("r-1", "r-1", None)),
        ({"x-ms-client-request-id": "c-1"}, (None, "c-1", "c-1")),
        ({"x-ms-request-id": "m-1"}, (None, "m-1", "m-1")),
        ({"x-ms-request-id": "m-1", "x-ms-client-request-id": "c-1"}, (None, "m-1", "c-1")),
        ({"x-request-id": "r-1", "x-ms-client-request-id": "c-1"}, ("r-1", "c-1", "c-1")),
    ],
)
def test_each_id_keeps_its_own_value(
    servers: Servers, kind: str, sent: dict[str, str], expected: tuple[str | None, ...]
) -> None:
    server = servers.start(kind, "query.py")
    request_id, legacy, client = _ids(httpx.post(f"{server.url}/score", content="{}", headers=sent))
    assert request_id is not None
    assert request_id == (expected[0] or request_id)
    assert (legacy, client) == expected[1:]


@pytest.mark.parametrize("header", ["x-request-id", "x-ms-request-id", "x-ms-client-request-id"])
def test_an_id_over_100_characters_is_431(servers: Servers, kind: str, header: str) -> None:
    server = servers.start(kind, "query.py")
    answer = httpx.post(f"{server.url}/score", content="{}", headers={header: "i" * 101})
    assert answer.status_code == 431
    assert "must not exceed 100 characters" in answer.json()["message"]


def test_trace_id_is_echoed(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "query.py")
    answer = httpx.post(f"{server.url}/score", content="{}", headers={"TraceId": "office-1"})
    assert answer.headers["TraceId"] == "office-1"


def test_the_server_version_header_and_its_switch(servers: Servers, kind: str) -> None:
    on = servers.start(kind, "query.py")
    off = servers.start(kind, "query.py", env={"SERVER_VERSION_LOG_RESPONSE_ENABLED": "false"})
    version = httpx.post(f"{on.url}/score", content="{}").headers["x-ms-server-version"]
    assert version.startswith(f"{kind}/")
    assert "x-ms-server-version" not in httpx.post(f"{off.url}/score", content="{}").headers


def test_run_gets_the_headers_keyed_title_case(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "headers.py")
    answer = httpx.post(
        f"{server.url}/score", content="x", headers={"test-header": "hi", "TEST-other": "2"}
    )
    assert answer.json() == {"test_header": "hi", "names": ["Test-Header", "Test-Other"]}
