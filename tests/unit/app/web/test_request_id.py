"""Every response carries the request id: the caller's (if usable) or a new one; logged once."""

import logging
import uuid
from collections.abc import Mapping

import pytest

from tests.paths import SCRIPTS
from tests.unit.app.conftest import served


def _ids(headers: Mapping[str, str]) -> tuple[str | None, ...]:
    names = ("x-request-id", "x-ms-request-id", "x-ms-client-request-id")
    return tuple(headers.get(name) for name in names)


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ({"x-request-id": "r1"}, ("r1", "r1", None)),
        ({"x-ms-request-id": "m1"}, ("new", "m1", "m1")),
        ({"x-ms-client-request-id": "c1"}, ("new", "c1", "c1")),
        ({"x-ms-request-id": "m1", "x-ms-client-request-id": "c1"}, ("new", "m1", "c1")),
        ({"x-request-id": "r1", "x-ms-client-request-id": "c1"}, ("r1", "c1", "c1")),
        ({}, ("new", "new", None)),
    ],
)
def test_each_id_header_is_echoed_by_azure_mls_rules(
    sent: dict[str, str], echoed: tuple[str | None, ...]
) -> None:
    with served(SCRIPTS / "echo.py") as client:
        answer = client.post("/score", content="x", headers=sent)
    request_id, *rest = _ids(answer.headers)
    assert request_id is not None
    if echoed[0] == "new":
        uuid.UUID(request_id)
    else:
        assert request_id == echoed[0]
    assert rest[0] == (request_id if echoed[1] == "new" else echoed[1])
    assert rest[1] == echoed[2]


@pytest.mark.parametrize("header", ["x-request-id", "x-ms-request-id", "x-ms-client-request-id"])
def test_an_id_over_100_characters_is_refused_with_431(header: str) -> None:
    with served(SCRIPTS / "echo.py") as client:
        answer = client.post("/score", content="x", headers={header: "x" * 101})
    assert answer.status_code == 431
    assert "must not exceed 100 characters" in answer.json()["message"]


def test_trace_id_and_the_server_version_come_back() -> None:
    with served(SCRIPTS / "echo.py") as client:
        answer = client.get("/", headers={"TraceId": "t-1"})
    assert answer.headers["TraceId"] == "t-1"
    assert answer.headers["x-ms-server-version"].startswith("scorehost/")


def test_errors_carry_the_id_in_body_and_header() -> None:
    with served(SCRIPTS / "echo.py") as client:
        answer = client.get("/nowhere", headers={"x-ms-request-id": "lost-1"})
    assert answer.status_code == 404
    assert answer.json()["request_id"] == answer.headers["x-ms-request-id"] == "lost-1"


def test_one_access_log_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    with served(SCRIPTS / "echo.py") as client, caplog.at_level(logging.INFO, "scorehost.access"):
        client.post("/score", content="hello")
    lines = [r.getMessage() for r in caplog.records if r.name == "scorehost.access"]
    assert len(lines) == 1
    assert '"POST /score" 200' in lines[0]
