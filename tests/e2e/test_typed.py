"""Azure ML's typed contract (inference-schema): parsed once by the server, JSON or .npy."""

import asyncio
import io
import json
from pathlib import Path

import httpx
import joblib
import numpy as np
import numpy.typing as npt
import pytest

from scorehost.client.scoring import ScoringClient
from tests.paths import EXAMPLES
from tests.servers import ServerProcess, StartServer

pytestmark = pytest.mark.e2e
TYPED_SCRIPT = EXAMPLES / "mnist" / "score_typed.py"


@pytest.fixture
def typed(start_server: StartServer, mnist_model_dir: Path) -> ServerProcess:
    return start_server("--entry-script", TYPED_SCRIPT, "--model-dir", mnist_model_dir)


def _npy(array: npt.NDArray[np.float64]) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def test_json_and_npy_bodies_score_exactly_as_in_process(
    typed: ServerProcess, mnist_model_dir: Path, digit_rows: npt.NDArray[np.float64]
) -> None:
    rows = digit_rows[:500]
    expected = joblib.load(mnist_model_dir / "sklearn_mnist_model.pkl").predict(rows).tolist()

    as_json = httpx.post(f"{typed.url}/score", content=json.dumps({"data": rows.tolist()}))
    as_npy = httpx.post(
        f"{typed.url}/score", content=_npy(rows), headers={"content-type": "application/x-npy"}
    )

    assert as_json.json() == expected
    assert as_npy.json() == expected
    with ScoringClient(typed.url, binary=True) as client:
        assert client.score(rows).tolist() == expected


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (
            json.dumps({"data": [[0.5] * 783]}),
            {},
            422,
            "'data' has shape (1, 783); expected (n, 784)",
        ),
        (json.dumps({"data": [0.5] * 784}), {}, 422, "'data' has shape (784,); expected (n, 784)"),
        (
            json.dumps({"data": [[0.5] * 784, [0.5]]}),
            {},
            422,
            "row 1 has 1 values, the model expects 784",
        ),
        (json.dumps({"data": [["a"] * 784]}), {}, 422, "row 0, column 0 is the string 'a'"),
        (json.dumps({"rows": []}), {}, 422, "The JSON body has no 'data' (keys present: 'rows')"),
        ('{"data": [[1.0,]]}', {}, 400, "not valid JSON"),
        # NaN parses as under Azure ML (Python's json); this model cannot score it
        ('{"data": [[' + ", ".join(["NaN"] * 784) + "]]}", {}, 422, "contains NaN or infinite"),
        ("", {}, 400, "empty"),
        (
            b"\x93NUMPY garbage",
            {"content-type": "application/x-npy"},
            400,
            "not a valid .npy array",
        ),
    ],
)
def test_typed_input_errors_name_the_problem(
    typed: ServerProcess, body: str | bytes, headers: dict[str, str], status: int, message: str
) -> None:
    response = httpx.post(f"{typed.url}/score", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert message in response.json()["message"]


def test_npy_of_the_wrong_shape_and_dtype(typed: ServerProcess) -> None:
    npy = {"content-type": "application/x-npy"}
    wrong_shape = httpx.post(f"{typed.url}/score", content=_npy(np.zeros((2, 10))), headers=npy)
    strings = httpx.post(f"{typed.url}/score", content=_npy(np.array([["a"] * 784])), headers=npy)
    assert wrong_shape.status_code == 422
    assert "'data' has shape (2, 10); expected (n, 784)" in wrong_shape.json()["message"]
    assert strings.status_code == 422
    assert "has dtype <U1; expected float64" in strings.json()["message"]


def test_openapi_shows_the_typed_schema_with_its_samples(typed: ServerProcess) -> None:
    document = httpx.get(f"{typed.url}/openapi.json").json()
    request = document["paths"]["/score"]["post"]["requestBody"]["content"]
    response = document["paths"]["/score"]["post"]["responses"]["200"]["content"]
    assert request["application/json"]["schema"]["properties"]["data"]["format"] == "numpy.ndarray"
    assert len(request["application/json"]["example"]["data"][0]) == 784
    assert "application/x-npy" in request
    assert response["application/json"]["example"] == [7]


def test_npy_to_an_untyped_script_is_415(tutorial: ServerProcess) -> None:
    response = httpx.post(
        f"{tutorial.url}/score",
        content=_npy(np.zeros((1, 784))),
        headers={"content-type": "application/x-npy"},
    )
    assert response.status_code == 415
    assert "decorated with inference-schema's @input_schema" in response.json()["message"]


def test_micro_batching_gives_each_caller_its_own_rows(
    start_server: StartServer, mnist_model_dir: Path, digit_rows: npt.NDArray[np.float64]
) -> None:
    server = start_server(
        "--entry-script",
        TYPED_SCRIPT,
        "--model-dir",
        mnist_model_dir,
        "--max-batch-size",
        "64",
        "--max-batch-wait-ms",
        "50",
    )
    rows = digit_rows[:48]
    expected = joblib.load(mnist_model_dir / "sklearn_mnist_model.pkl").predict(rows).tolist()
    poisoned = rows[5].copy()
    poisoned[0] = np.nan

    async def send_all(bodies: list[bytes]) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            npy = {"content-type": "application/x-npy"}
            return await asyncio.gather(
                *(client.post("/score", content=body, headers=npy) for body in bodies)
            )

    good = asyncio.run(send_all([_npy(row.reshape(1, -1)) for row in rows]))
    metrics = httpx.get(f"{server.url}/metrics").text
    mixed = asyncio.run(send_all([_npy(rows[:3]), _npy(poisoned.reshape(1, -1))]))

    assert [response.json() for response in good] == [[label] for label in expected]
    run_calls = float(metrics.split("scorehost_run_duration_seconds_count ")[1].split()[0])
    assert run_calls < 30  # merged: far fewer run() calls than the 48 requests
    assert mixed[0].json() == expected[:3]  # its neighbour's bad row did not fail it
    assert mixed[1].status_code == 422
    assert "'data' contains NaN or infinite values" in mixed[1].json()["message"]
