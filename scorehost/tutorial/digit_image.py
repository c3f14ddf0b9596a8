"""A picture of a handwritten digit to one MNIST-style row (784 values in 0..1)."""

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt

from scorehost.tutorial.errors import NotADigit


def image_to_row(path: Path) -> npt.NDArray[np.float64]:
    """As MNIST was made: light digit on black, fitted into 20x20, centred by mass in 28x28."""
    from PIL import Image, UnidentifiedImageError

    try:
        gray = np.asarray(Image.open(path).convert("L"), dtype=np.float64)
    except (UnidentifiedImageError, OSError) as exc:
        raise NotADigit(f"{path}: not an image Pillow can read ({exc})") from exc
    if np.median(gray) > 127:
        gray = 255 - gray  # dark ink on light paper
    ink = gray > 0.25 * gray.max() if gray.max() > 0 else np.zeros(gray.shape, dtype=bool)
    if not ink.any():
        raise NotADigit(f"{path}: the image is blank, no digit found")
    rows, cols = np.nonzero(ink)
    crop = gray[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = 20 / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    fitted = np.asarray(
        Image.fromarray(crop.astype(np.uint8)).resize(size, Image.Resampling.LANCZOS),
        dtype=np.float64,
    )
    height, width = fitted.shape
    grid_y, grid_x = np.indices(fitted.shape)
    total = fitted.sum() or 1.0
    # Put the centre of mass at the canvas centre, as far as the canvas edges allow.
    top = int(np.clip(round(13.5 - (grid_y * fitted).sum() / total), 0, 28 - height))
    left = int(np.clip(round(13.5 - (grid_x * fitted).sum() / total), 0, 28 - width))
    canvas = np.zeros((28, 28))
    canvas[top : top + height, left : left + width] = fitted
    return (np.clip(canvas, 0, 255) / 255.0).reshape(784)


def rows_from_file(path: Path) -> npt.NDArray[np.float64]:
    """What `predict` sends: an image as one row, or the rows of a JSON file."""
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise NotADigit(f"{path} {what}: give the path of a digit picture or a JSON file of rows")
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(path.read_text())
            rows = document["data"] if isinstance(document, dict) else document
            array = np.asarray(rows, dtype=np.float64)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NotADigit(
                f'{path}: expected {{"data": [[784 numbers], ...]}} or a list of rows ({exc})'
            ) from exc
        return array.reshape(1, -1) if array.ndim == 1 else array
    return image_to_row(path).reshape(1, -1)
