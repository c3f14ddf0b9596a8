"""`scorehost data download`: MNIST's IDX files, verified, resumable, never half-written."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from tqdm import tqdm

from scorehost.tutorial.errors import DownloadError

# Azure Open Datasets' copy of MNIST, the tutorial's source (the original LeCun files).
DEFAULT_BASE_URL = "https://azureopendatastorage.azurefd.net/mnist/"


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    sha256: str


MNIST_FILES = (
    RemoteFile(
        "train-images-idx3-ubyte.gz",
        9_912_422,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    ),
    RemoteFile(
        "train-labels-idx1-ubyte.gz",
        28_881,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    RemoteFile(
        "t10k-images-idx3-ubyte.gz",
        1_648_877,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    RemoteFile(
        "t10k-labels-idx1-ubyte.gz",
        4_542,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
)


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _fetch(client: httpx.Client, url: str, partial: Path, total: int, show: bool) -> None:
    """Append the rest of `url` to `partial`, resuming from its current size."""
    start = partial.stat().st_size if partial.exists() else 0
    headers = {"Range": f"bytes={start}-"} if start else {}
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 200 and start:
            start = 0  # the server ignored Range: start over
        elif response.status_code not in (200, 206):
            raise DownloadError(f"{url}: HTTP {response.status_code}")
        mode = "ab" if start else "wb"
        with (
            partial.open(mode) as out,
            tqdm(
                total=total,
                initial=start,
                unit="B",
                unit_scale=True,
                desc=partial.name.removesuffix(".partial"),
                disable=not show,
                leave=False,
            ) as bar,
        ):
            for chunk in response.iter_bytes():
                out.write(chunk)
                bar.update(len(chunk))


def download_one(
    client: httpx.Client, base_url: str, remote: RemoteFile, dest: Path, show: bool
) -> Path:
    final = dest / remote.name
    if final.exists() and _sha256(final) == remote.sha256:
        return final
    partial = dest / f"{remote.name}.partial"
    url = base_url.rstrip("/") + "/" + remote.name
    try:
        _fetch(client, url, partial, remote.size, show)
    except httpx.HTTPError as exc:
        have = partial.stat().st_size if partial.exists() else 0
        raise DownloadError(
            f"{url}: {type(exc).__name__}: {exc} after {have:,} of {remote.size:,} bytes; "
            "run the command again to resume"
        ) from exc
    digest = _sha256(partial)
    if digest != remote.sha256:
        size = partial.stat().st_size
        partial.unlink()
        raise DownloadError(
            f"{url}: SHA-256 {digest} ({size:,} bytes) is not the expected {remote.sha256}; "
            "the corrupt download was deleted, run the command again"
        )
    partial.replace(final)
    return final


def download_all(
    dest: Path,
    base_url: str = DEFAULT_BASE_URL,
    files: tuple[RemoteFile, ...] = MNIST_FILES,
    show_progress: bool = True,
    report: Callable[[str], None] = print,
) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    with httpx.Client(timeout=httpx.Timeout(30.0), follow_redirects=True) as client:
        for remote in files:
            path = download_one(client, base_url, remote, dest, show_progress)
            report(f"{path} ({remote.size:,} bytes, SHA-256 verified)")
            paths.append(path)
    return paths
