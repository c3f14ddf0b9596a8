"""Every response carries the request id: the caller's (if usable) or a new one; logged once."""

import logging
import uuid

import pytest

from tests.paths import SCRIPTS
from tests.unit.app.conftest import served


@pytest.mark.parametrize("header", ["x-ms-request-id", "x-request-id"])
def test_the_callers_id_is_echoed(header: str) -> None:
    with served(SCRIPTS / "echo.py") as client:
        answer = client.post("/score", content="x", headers={header: "my-id-1"})
    assert answer.headers["x-ms-request-id"] == answer.headers["x-request-id"] == "my-id-1"


@pytest.mark.parametrize("given", ["", "x" * 101, "bad\x01id"])
def test_an_unusable_id_is_replaced_by_a_new_one(given: str) -> None:
    with served(SCRIPTS / "echo.py") as client:
        answer = client.get("/health/live", headers={"x-ms-request-id": given})
    uuid.UUID(answer.headers["x-ms-request-id"])


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
