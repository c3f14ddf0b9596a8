"""Keys, CORS and model pins: what stands between the network and the model."""

import hashlib
from pathlib import Path

import httpx
import pytest

from tests.paths import SCRIPTS, TUTORIAL_SCRIPT
from tests.servers import StartServer

pytestmark = pytest.mark.e2e


def test_api_keys_guard_scoring_but_not_probes(start_server: StartServer, tmp_path: Path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text("# rotated 2026-11\nfile-key-222\n")
    server = start_server(
        "--entry-script",
        SCRIPTS / "echo.py",
        "--api-keys-file",
        keys_file,
        env={"SCOREHOST_PRIMARY_KEY": "primary-key-111"},
    )
    url = f"{server.url}/score"

    missing = httpx.post(url, content="x")
    wrong = httpx.post(url, content="x", headers={"Authorization": "Bearer nope"})
    primary = httpx.post(url, content="x", headers={"Authorization": "Bearer primary-key-111"})
    from_file = httpx.post(url, content="x", headers={"Authorization": "bearer file-key-222"})

    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer <key>" in missing.json()["message"]
    assert wrong.status_code == 401
    assert wrong.json()["message"] == "The API key is not valid."
    assert primary.status_code == from_file.status_code == 200
    assert httpx.get(f"{server.url}/").text == "Healthy"
    assert httpx.get(f"{server.url}/health/ready").status_code == 200
    server.wait_for_log('"POST /score')
    assert "primary-key-111" not in server.log()


def test_cors_is_off_unless_origins_are_listed(start_server: StartServer) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    closed = start_server("--entry-script", SCRIPTS / "echo.py")
    opened = start_server(
        "--entry-script", SCRIPTS / "echo.py", env={"AML_CORS_ORIGINS": "https://app.example"}
    )

    denied = httpx.options(f"{closed.url}/score", headers=preflight)
    allowed = httpx.options(f"{opened.url}/score", headers=preflight)

    assert "access-control-allow-origin" not in denied.headers
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"


def test_pinned_model_must_match(
    start_server: StartServer, mnist_model_dir: Path, tmp_path: Path
) -> None:
    model = mnist_model_dir / "sklearn_mnist_model.pkl"
    right = hashlib.sha256(model.read_bytes()).hexdigest()
    args = ("--entry-script", TUTORIAL_SCRIPT, "--model-dir", mnist_model_dir)

    tampered = start_server(
        *args, env={"SCOREHOST_MODEL_SHA256": f"sklearn_mnist_model.pkl={'0' * 64}"}, wait=False
    )
    assert tampered.wait_exit(60) == 3
    assert f"has SHA-256 {right}, but SCOREHOST_MODEL_SHA256 pins {'0' * 64}" in tampered.log()

    pinned = start_server(*args, env={"SCOREHOST_MODEL_SHA256": f"sklearn_mnist_model.pkl={right}"})
    assert httpx.get(f"{pinned.url}/").text == "Healthy"


def test_skops_model_is_served_without_pickle(start_server: StartServer, tmp_path: Path) -> None:
    from scorehost.tutorial.train import SKOPS_FILE, train_and_save
    from tests.paths import EXAMPLES

    train_and_save(None, 0.5, tmp_path, model_format="skops")
    assert (tmp_path / SKOPS_FILE).is_file()
    assert not (tmp_path / "sklearn_mnist_model.pkl").exists()
    server = start_server(
        "--entry-script", EXAMPLES / "mnist" / "score_skops.py", "--model-dir", tmp_path
    )
    sample = (EXAMPLES / "mnist" / "sample.json").read_text()
    assert httpx.post(f"{server.url}/score", content=sample).json() == [0]
