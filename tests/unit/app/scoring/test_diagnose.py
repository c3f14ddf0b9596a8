"""Which run() failures are the client's fault, and what the message tells them."""

import json

import pytest

from app.errors import BadRequest, UnprocessableInput
from app.scoring.diagnose import explain


def _json_error(body: str) -> json.JSONDecodeError:
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        return exc
    raise AssertionError("body parsed")


def test_invalid_json_names_the_position() -> None:
    error = explain('{"data": [1,', _json_error('{"data": [1,'), 784)
    assert isinstance(error, BadRequest)
    assert "line 1, column 13 (char 12)" in error.message


def test_key_error_for_a_key_the_script_wanted() -> None:
    error = explain('{"inputs": []}', KeyError("data"), None)
    assert isinstance(error, UnprocessableInput)
    assert "no 'data' key (keys present: 'inputs')" in error.message


def test_key_error_for_a_key_that_is_present_is_a_bug() -> None:
    assert explain('{"data": [[1]]}', KeyError("data"), None) is None


def test_ragged_rows_without_a_known_model_width() -> None:
    error = explain('{"data": [[1, 2], [1]]}', ValueError("inhomogeneous"), None)
    assert error is not None
    assert "row 1 has 1 values, row 0 has 2" in error.message


def test_huge_integer_is_named() -> None:
    body = '{"data": [[' + "9" * 400 + "]]}"
    error = explain(body, ValueError("overflow"), 1)
    assert error is not None
    assert "too large for a 64-bit float" in error.message


def test_sklearn_width_message_is_used_when_rows_look_fine() -> None:
    exc = ValueError("X has 3 features, but LogisticRegression is expecting 784 features as input.")
    error = explain('{"other": 1, "data": [[1, 2, 3]]}', exc, None)
    assert error is not None
    assert error.message == "Each row has 3 values, the model expects 784."


@pytest.mark.parametrize(
    "exc", [RuntimeError("model broke"), ZeroDivisionError(), MemoryError(), OSError("disk")]
)
def test_failures_the_body_does_not_explain_stay_server_errors(exc: BaseException) -> None:
    assert explain('{"data": [[0.5, 0.5]]}', exc, 2) is None


def test_value_error_on_a_good_body_is_a_bug() -> None:
    assert explain('{"data": [[0.5, 0.5]]}', ValueError("internal"), 2) is None


def test_script_that_does_not_read_json_gets_no_json_diagnosis() -> None:
    assert explain("1,2,3", ValueError("bad csv"), None) is None
