"""Which run() failures are the client's fault, and what the message tells them."""

import json

import pytest

from scorehost.app.errors import BadRequest, UnprocessableInput
from scorehost.app.scoring.diagnose import explain


def _json_error(body: str) -> json.JSONDecodeError:
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        return exc
    raise AssertionError("body parsed")


def test_invalid_json_names_the_position() -> None:
    error = explain('{"data": [1,', _json_error('{"data": [1,'), 784, "score.py")
    assert isinstance(error, BadRequest)
    assert "line 1, column 13 (char 12)" in error.message


def test_key_error_for_a_key_the_script_wanted() -> None:
    error = explain('{"inputs": []}', KeyError("data"), None, "score.py")
    assert isinstance(error, UnprocessableInput)
    assert error.message == (
        "run() in score.py read the key 'data', which the JSON body does not have (keys present: "
        "'inputs')."
    )


def test_a_key_the_body_gave_as_a_value_is_named_as_the_bodys_value() -> None:
    # azureml-examples' multimodel score.py: models[data["model"]]
    body = '{"model": "nosuch", "data": {"a": {"0": 1}}}'
    error = explain(body, KeyError("nosuch"), None, "multimodel.py")
    assert isinstance(error, UnprocessableInput)
    assert error.message == (
        "run() in multimodel.py found nothing named 'nosuch', the body's 'model' "
        "(KeyError: 'nosuch')."
    )
    assert "key" not in error.message.split("(")[0]


def test_rows_are_found_under_whatever_name_the_script_reads_them() -> None:
    body = '{"input_data": [[1, 2], [1]], "params": {}}'
    error = explain(body, ValueError("inhomogeneous shape"), None, "score.py")
    assert error is not None and error.message == "row 1 has 1 values, row 0 has 2."
    object_rows = '{"model": "iris", "data": {"sepal": {"0": 5.1}}}'
    assert explain(object_rows, ValueError("internal"), None, "score.py") is None
    empty = explain('{"inputs": []}', ValueError("0 sample(s)"), None, "score.py")
    assert (
        empty is not None and empty.message == '"inputs" is an empty list; send at least one row.'
    )


def test_key_error_for_a_key_that_is_present_is_a_bug() -> None:
    assert explain('{"data": [[1]]}', KeyError("data"), None, "score.py") is None


def test_ragged_rows_without_a_known_model_width() -> None:
    error = explain('{"data": [[1, 2], [1]]}', ValueError("inhomogeneous"), None, "score.py")
    assert error is not None
    assert "row 1 has 1 values, row 0 has 2" in error.message


def test_huge_integer_is_named() -> None:
    body = '{"data": [[' + "9" * 400 + "]]}"
    error = explain(body, ValueError("overflow"), 1, "score.py")
    assert error is not None
    assert "too large for a 64-bit float" in error.message


def test_sklearn_width_message_is_used_when_rows_look_fine() -> None:
    exc = ValueError("X has 3 features, but LogisticRegression is expecting 784 features as input.")
    error = explain('{"other": 1, "data": [[1, 2, 3]]}', exc, None, "score.py")
    assert error is not None
    assert error.message == "Each row has 3 values, the model expects 784."


@pytest.mark.parametrize(
    "exc", [RuntimeError("model broke"), ZeroDivisionError(), MemoryError(), OSError("disk")]
)
def test_failures_the_body_does_not_explain_stay_server_errors(exc: BaseException) -> None:
    assert explain('{"data": [[0.5, 0.5]]}', exc, 2, "score.py") is None


def test_value_error_on_a_good_body_is_a_bug() -> None:
    assert explain('{"data": [[0.5, 0.5]]}', ValueError("internal"), 2, "score.py") is None


def test_script_that_does_not_read_json_gets_no_json_diagnosis() -> None:
    assert explain("1,2,3", ValueError("bad csv"), None, "score.py") is None


def test_messages_describe_the_script_served_not_an_example_of_another() -> None:
    empty = explain("", ValueError("Expecting value"), None, "my_score.py")
    assert empty is not None
    assert empty.message == (
        "The request body is empty; run() in my_score.py needs input (ValueError: Expecting value)."
    )
    not_object = explain("[1, 2]", TypeError("list indices must be integers"), None, "my_score.py")
    assert not_object is not None and "for run() in my_score.py, got a list of 2 items" in (
        not_object.message
    )
    for error in (empty, not_object):
        assert "0.5" not in error.message and "784" not in error.message


def test_a_flat_list_with_a_string_names_the_string_not_the_numbers_before_it() -> None:
    error = explain('{"data": [1, "x"]}', ValueError("could not convert"), None, "score.py")
    assert isinstance(error, UnprocessableInput)
    assert error.message == "item 1 of \"data\" is the string 'x'; every value must be a number."


def test_a_flat_list_of_numbers_is_fine_unless_the_model_takes_rows() -> None:
    body = '{"data": [1, 2, 3]}'
    assert explain(body, ValueError("internal"), None, "score.py") is None
    rows_wanted = explain(body, ValueError("internal"), 3, "score.py")
    assert rows_wanted is not None and "the model takes rows of 3 values" in rows_wanted.message
    sklearn_says = ValueError("Expected 2D array, got 1D array instead: array=[1. 2. 3.].")
    error = explain(body, sklearn_says, None, "score.py")
    assert error is not None and "wrap it in another list" in error.message
