"""A user serves the tutorial's unmodified score.py and scores digits over HTTP."""

import json
from pathlib import Path

import httpx
import joblib
import numpy as np
import numpy.typing as npt
import pytest

from tests.paths import TUTORIAL_SCRIPT
from tests.servers import ServerProcess, StartServer

pytestmark = pytest.mark.e2e


def test_10000_rows_score_exactly_as_in_process(
    tutorial: ServerProcess, mnist_model_dir: Path, digit_rows: npt.NDArray[np.float64]
) -> None:
    rows = np.vstack([digit_rows, digit_rows[:, ::-1]])  # 10,000 rows: the digits and mirrored
    assert rows.shape == (10_000, 784)
    body = json.dumps({"data": rows.tolist()})

    response = httpx.post(f"{tutorial.url}/score", content=body, timeout=120)

    assert response.status_code == 200, response.text
    expected = joblib.load(mnist_model_dir / "sklearn_mnist_model.pkl").predict(rows)
    assert response.json() == expected.tolist()
    assert float(response.headers["x-ms-run-fn-exec-ms"]) > 0


def test_one_row_with_curl_style_form_encoding_is_scored(
    tutorial: ServerProcess, digit_rows: npt.NDArray[np.float64]
) -> None:
    # `curl -d` sends application/x-www-form-urlencoded; Azure ML's server hands run() "" then.
    response = httpx.post(
        f"{tutorial.url}/score",
        content=json.dumps({"data": digit_rows[:1].tolist()}),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert len(response.json()) == 1


def test_request_id_is_echoed_or_made(tutorial: ServerProcess) -> None:
    body = json.dumps({"data": [[0.0] * 784]})
    echoed = httpx.post(f"{tutorial.url}/score", content=body, headers={"x-ms-request-id": "abc-1"})
    made = httpx.post(f"{tutorial.url}/score", content=body)
    assert echoed.headers["x-ms-request-id"] == "abc-1"
    assert len(made.headers["x-ms-request-id"]) == 36


def _row(width: int = 784) -> list[float]:
    return [0.5] * width


BAD_INPUTS = {
    "invalid JSON": (b'{"data": [[1, 2}', 400, "not valid JSON: Expecting ',' delimiter at line 1"),
    "empty body": (b"", 400, "The request body is empty"),
    "blank body": (b"  \n", 400, "The request body is empty"),
    "no data key": (
        json.dumps({"rows": [_row()]}).encode(),
        422,
        "read the key 'data', which the JSON body does not have",
    ),
    "row of wrong length": (
        json.dumps({"data": [_row(), _row(), _row(), _row(783)]}).encode(),
        422,
        "row 3 has 783 values, the model expects 784",
    ),
    "every row too short": (
        json.dumps({"data": [_row(10)]}).encode(),
        422,
        "row 0 has 10 values, the model expects 784",
    ),
    "string for a number": (
        json.dumps({"data": [[*_row(5), "abc", *_row(778)]]}).encode(),
        422,
        "row 0, column 5 is the string 'abc'; every value must be a number",
    ),
    "null for a number": (
        json.dumps({"data": [[None, *_row(783)]]}).encode(),
        422,
        "row 0, column 0 is null",
    ),
    "NaN": (
        ('{"data": [[NaN' + ", 0.5" * 783 + "]]}").encode(),
        422,
        "row 0, column 0 is nan; the model cannot score NaN",
    ),
    "flat list": (json.dumps({"data": _row()}).encode(), 422, "wrap it in another list"),
    "data is a string": (json.dumps({"data": "pixels"}).encode(), 422, '"data" must be a list'),
    "empty data": (json.dumps({"data": []}).encode(), 422, '"data" is an empty list'),
    "body is a list": (
        json.dumps([_row()]).encode(),
        422,
        "must be an object for run() in score.py, got a list",
    ),
    "not UTF-8": (b'{"data": [[\xff]]}', 400, "not valid UTF-8 text (byte 0xff at position 11)"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_gets_a_4xx_that_says_what_to_fix(tutorial: ServerProcess, case: str) -> None:
    body, status, message = BAD_INPUTS[case]

    response = httpx.post(
        f"{tutorial.url}/score", content=body, headers={"x-ms-request-id": "bad-1"}
    )

    assert response.status_code == status, response.text
    assert message in response.json()["message"]
    assert response.json()["request_id"] == "bad-1"
    assert response.headers["x-ms-run-function-failed"] == "False"  # the caller's mistake
    assert httpx.get(f"{tutorial.url}/").text == "Healthy"


def test_body_over_the_limit_is_refused_with_413(
    start_server: StartServer, mnist_model_dir: Path
) -> None:
    server = start_server(
        "--entry-script",
        TUTORIAL_SCRIPT,
        "--model-dir",
        mnist_model_dir,
        "--max-body-bytes",
        "1000",
    )
    declared = httpx.post(f"{server.url}/score", content=b"x" * 1001)

    def chunks() -> object:
        yield b"x" * 600
        yield b"x" * 600

    streamed = httpx.post(f"{server.url}/score", content=chunks())  # type: ignore[arg-type]

    for response in (declared, streamed):
        assert response.status_code == 413
        assert "larger than the 1,000-byte limit" in response.json()["message"]
    assert httpx.post(f"{server.url}/score", content=b"x" * 1000).status_code == 400
