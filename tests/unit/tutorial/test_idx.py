import gzip
from pathlib import Path

import numpy as np
import pytest

from scorehost.tutorial.errors import IdxError
from scorehost.tutorial.idx import load_images, load_labels, write_idx


def test_round_trip_gzipped_images_and_labels(tmp_path: Path) -> None:
    images = np.arange(3 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(3, 28, 28)
    labels = np.array([7, 2, 1], dtype=np.uint8)
    write_idx(tmp_path / "i.gz", images)
    write_idx(tmp_path / "l", labels)
    assert load_images(tmp_path / "i.gz").shape == (3, 784)
    assert (load_images(tmp_path / "i.gz") == images.reshape(3, -1)).all()
    assert load_labels(tmp_path / "l").tolist() == [7, 2, 1]


def test_labels_file_given_as_images_is_refused(tmp_path: Path) -> None:
    write_idx(tmp_path / "l.gz", np.zeros(4, dtype=np.uint8))
    with pytest.raises(IdxError, match="magic number 0x00000801, expected 0x00000803"):
        load_images(tmp_path / "l.gz")


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    write_idx(tmp_path / "i", np.zeros((5, 28, 28), dtype=np.uint8))
    (tmp_path / "i").write_bytes((tmp_path / "i").read_bytes()[:-100])
    with pytest.raises(IdxError, match="truncated or corrupt"):
        load_images(tmp_path / "i")


def test_cut_gzip_is_refused(tmp_path: Path) -> None:
    data = gzip.compress(b"\x00\x00\x08\x03" + b"\x00" * 5000)
    (tmp_path / "i.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(IdxError, match="corrupt or truncated"):
        load_images(tmp_path / "i.gz")
