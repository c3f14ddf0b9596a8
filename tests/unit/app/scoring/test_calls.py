"""A failed run(), per kind of script: the caller's mistake (4xx, saying what to fix) or the
script's bug (500)."""

import json
from typing import Any

import numpy as np

from scorehost.app.context import reset_request_id, set_request_id
from scorehost.app.errors import BadRequest, RunFailed, UnprocessableInput
from scorehost.app.scoring.calls import TextCalls, TypedCalls
from scorehost.app.scoring.entry_script import RunRaised, ScriptSpec, load_script
from scorehost.app.scoring.typed_input import TypedInput, TypedParameter
from tests.paths import SCRIPTS


def _echo() -> TextCalls:
    return TextCalls(load_script(ScriptSpec(SCRIPTS / "echo.py")))


def _raised(exc: BaseException) -> RunRaised:
    return RunRaised(exc, exec_ms=2.0)


def test_a_body_that_is_not_json_is_a_400_with_the_timing() -> None:
    try:
        json.loads("{")
    except json.JSONDecodeError as exc:
        error = _echo().explain({"raw_data": "{"}, _raised(exc), debug=False)
    assert isinstance(error, BadRequest)
    assert error.exec_ms == 2.0


def test_a_bug_is_a_500_naming_the_request_id_and_hiding_the_traceback() -> None:
    token = set_request_id("req-9")
    try:
        error = _echo().explain({"raw_data": "{}"}, _raised(ZeroDivisionError("x")), False)
    finally:
        reset_request_id(token)
    assert isinstance(error, RunFailed)
    assert error.message.endswith("traceback under request id req-9.")
    assert "ZeroDivisionError" not in error.message


def test_debug_adds_the_traceback() -> None:
    error = _echo().explain({"raw_data": "{}"}, _raised(ZeroDivisionError("x")), True)
    assert "ZeroDivisionError: x" in error.message


def test_nan_in_a_typed_input_is_the_callers_mistake() -> None:
    typed = TypedCalls(TypedInput([TypedParameter("data", True, np.dtype(np.float64), (1, 2))]))
    values: dict[str, Any] = {"data": np.array([[np.nan, 1.0]])}
    error = typed.explain(values, _raised(ValueError("Input contains NaN")), False)
    assert isinstance(error, UnprocessableInput)
    assert error.message == "'data' contains NaN or infinite values."
    bug = typed.explain({"data": np.ones((1, 2))}, _raised(ValueError("x")), False)
    assert isinstance(bug, RunFailed)
