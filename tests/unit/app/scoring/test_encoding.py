import numpy as np
import orjson
import pytest

from scorehost.app.scoring.encoding import NotSerializable, to_json


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([1, 2], [1, 2]),
        (np.array([[1, 2], [3, 4]]), [[1, 2], [3, 4]]),
        (np.arange(6)[::2], [0, 2, 4]),
        (np.array(["a", "b"]), ["a", "b"]),
        (np.int64(3), 3),
        ({"p": np.float32(0.5), 1: "int key"}, {"p": 0.5, "1": "int key"}),
        ("text", "text"),
        ((1, 2), [1, 2]),
        (None, None),
    ],
)
def test_results_become_the_json_a_client_expects(value: object, expected: object) -> None:
    assert orjson.loads(to_json(value)) == expected


def test_unserializable_result_names_its_type() -> None:
    with pytest.raises(NotSerializable, match="run\\(\\) returned complex"):
        to_json(1j)
