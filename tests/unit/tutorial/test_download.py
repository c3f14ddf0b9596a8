"""`scorehost data download` against a local server serving IDX files the test wrote."""

import hashlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import numpy as np
import pytest

from scorehost.tutorial.download import RemoteFile, download_all
from scorehost.tutorial.errors import DownloadError
from scorehost.tutorial.idx import load_images, write_idx
from tests.http_fakes import local_server, reply


def _files(tmp_path: Path) -> dict[str, bytes]:
    tmp_path.mkdir()
    noise = np.random.default_rng(0).integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", noise)  # ~40 kB: room to cut mid-file
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.arange(50, dtype=np.uint8) % 10)
    return {p.name: p.read_bytes() for p in tmp_path.glob("*.gz")}


def _remote(files: dict[str, bytes]) -> tuple[RemoteFile, ...]:
    return tuple(
        RemoteFile(name, len(data), hashlib.sha256(data).hexdigest())
        for name, data in sorted(files.items())
    )


class Serving:
    """Serves `files`, honouring Range; `cut_after` drops the connection mid-file once."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = dict(files)
        self.cut_after: int | None = None
        self.ranges: list[str | None] = []

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        data = self.files.get(handler.path.rsplit("/", 1)[-1])
        if data is None:
            reply(handler, 404, b"not found", "text/plain")
            return
        header = handler.headers.get("Range")
        self.ranges.append(header)
        start = int(header.removeprefix("bytes=").rstrip("-")) if header else 0
        handler.send_response(206 if start else 200)
        handler.send_header("Content-Length", str(len(data) - start))
        handler.end_headers()
        if self.cut_after is not None:
            handler.wfile.write(data[start : self.cut_after])
            self.cut_after = None
            handler.close_connection = True
            return
        handler.wfile.write(data[start:])


def test_downloads_verify_and_load(tmp_path: Path) -> None:
    files = _files(tmp_path / "src")
    with local_server(Serving(files)) as url:
        paths = download_all(tmp_path / "data", url, _remote(files), show_progress=False)
    assert [p.name for p in paths] == sorted(files)
    assert load_images(tmp_path / "data" / "t10k-images-idx3-ubyte.gz").shape == (50, 784)


def test_a_dropped_connection_keeps_the_partial_file_and_resumes(tmp_path: Path) -> None:
    files = _files(tmp_path / "src")
    serving = Serving(files)
    serving.cut_after = 100
    dest = tmp_path / "data"
    with local_server(serving) as url:
        with pytest.raises(DownloadError, match="run the command again to resume"):
            download_all(dest, url, _remote(files), show_progress=False)
        assert not (dest / "t10k-images-idx3-ubyte.gz").exists()
        assert (dest / "t10k-images-idx3-ubyte.gz.partial").stat().st_size == 100

        download_all(dest, url, _remote(files), show_progress=False)

    assert serving.ranges[-2:] == ["bytes=100-", None]
    assert (dest / "t10k-images-idx3-ubyte.gz").read_bytes() == files["t10k-images-idx3-ubyte.gz"]
    assert not list(dest.glob("*.partial"))


def test_a_corrupt_file_is_deleted_and_reported(tmp_path: Path) -> None:
    files = _files(tmp_path / "src")
    expected = _remote(files)
    files["t10k-labels-idx1-ubyte.gz"] = b"\x1f\x8b garbage"
    with (
        local_server(Serving(files)) as url,
        pytest.raises(DownloadError, match=r"SHA-256 .* is not the expected"),
    ):
        download_all(tmp_path / "data", url, expected, show_progress=False)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["t10k-images-idx3-ubyte.gz"]


def test_missing_file_is_an_http_error(tmp_path: Path) -> None:
    with local_server(Serving({})) as url, pytest.raises(DownloadError, match="HTTP 404"):
        download_all(tmp_path, url, (RemoteFile("x.gz", 1, "0" * 64),), show_progress=False)


def test_files_already_present_and_valid_are_not_fetched_again(tmp_path: Path) -> None:
    files = _files(tmp_path / "src")
    serving = Serving(files)
    with local_server(serving) as url:
        download_all(tmp_path / "data", url, _remote(files), show_progress=False)
        download_all(tmp_path / "data", url, _remote(files), show_progress=False)
    assert len(serving.ranges) == 2
