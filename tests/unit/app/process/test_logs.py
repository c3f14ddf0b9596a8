"""Log lines go to stdout, each tagged with the request id, as text or JSON."""

import json
import logging
from collections.abc import Iterator

import pytest

from scorehost.app.context import reset_request_id, set_request_id
from scorehost.app.process.logs import configure


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def _log_in_request(capsys: pytest.CaptureFixture[str]) -> str:
    token = set_request_id("req-7")
    try:
        logging.getLogger("scorehost").warning("scored %d rows", 3)
    finally:
        reset_request_id(token)
    return capsys.readouterr().out


def test_text_lines_carry_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    configure("info", "text")
    line = _log_in_request(capsys)
    assert "WARNING" in line and "scorehost [req-7] scored 3 rows" in line


def test_json_lines_are_one_object_each(capsys: pytest.CaptureFixture[str]) -> None:
    configure("info", "json")
    record = json.loads(_log_in_request(capsys))
    assert (record["level"], record["request_id"], record["message"]) == (
        "WARNING",
        "req-7",
        "scored 3 rows",
    )


def test_the_level_filters(capsys: pytest.CaptureFixture[str]) -> None:
    configure("error", "text")
    assert _log_in_request(capsys) == ""
