"""Decoding bodies for typed score.py files."""

import io

import numpy as np
import pytest

from scorehost.app.errors import BadRequest, UnprocessableInput, UnsupportedMediaType
from scorehost.app.scoring.typed_input import TypedInput, TypedParameter

ROWS = TypedParameter("data", True, np.dtype(np.float64), (1, 3))
THRESHOLD = TypedParameter("threshold", False, default=0.5)


def test_json_becomes_arrays_and_plain_values() -> None:
    typed = TypedInput([ROWS, THRESHOLD])
    values = typed.decode(b'{"data": [[1, 2, 3], [4, 5, 6]], "threshold": 0.5}', "application/json")
    assert values["data"].dtype == np.float64
    assert values["data"].shape == (2, 3)
    assert values["threshold"] == 0.5


def test_an_optional_parameter_left_out_gets_its_default() -> None:
    values = TypedInput([ROWS, THRESHOLD]).decode(b'{"data": [[1, 2, 3]]}', "")
    assert values["threshold"] == 0.5


def test_npy_body() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.ones((4, 3), dtype=np.float32))
    values = TypedInput([ROWS]).decode(buffer.getvalue(), "application/x-npy")
    assert values["data"].dtype == np.float64  # cast to the sample's dtype, same kind
    assert values["data"].shape == (4, 3)


def test_npy_refused_when_other_inputs_are_required() -> None:
    other = TypedParameter("mode", True)
    with pytest.raises(UnsupportedMediaType, match="exactly one numpy input"):
        TypedInput([ROWS, other]).decode(b"", "application/x-npy")


def test_pickled_npy_is_refused() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(BadRequest, match=r"not a valid \.npy array"):
        TypedInput([ROWS]).decode(buffer.getvalue(), "application/x-npy")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"data": [[1, 2]]}', "'data' has shape (1, 2); expected (n, 3)"),
        (b'{"data": [[1, 2, 3], [1]]}', "row 1 has 1 values, the model expects 3"),
        (b'{"data": [["x", 2, 3]]}', "row 0, column 0 is the string 'x'"),
        (b'{"rows": []}', "no 'data' (keys present: 'rows')"),
        (b"[1, 2]", "must be an object"),
    ],
)
def test_unprocessable_bodies(body: bytes, message: str) -> None:
    with pytest.raises(UnprocessableInput) as info:
        TypedInput([ROWS]).decode(body, "application/json")
    assert message in info.value.message


def test_invalid_json() -> None:
    with pytest.raises(BadRequest, match="not valid JSON"):
        TypedInput([ROWS]).decode(b'{"data": [[1,', "application/json")
