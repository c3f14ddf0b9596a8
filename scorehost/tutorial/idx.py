"""MNIST's IDX file format (optionally gzipped): read and write, with errors that name the file."""

import gzip
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

from scorehost.tutorial.errors import IdxError

_UBYTE = 0x08
IMAGES_MAGIC = 0x00000803  # ubyte, 3 dimensions (n, rows, cols)
LABELS_MAGIC = 0x00000801  # ubyte, 1 dimension (n,)


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError) as exc:  # BadGzipFile is an OSError; a cut .gz ends in EOFError
        raise IdxError(f"{path}: cannot read ({exc}); the file is corrupt or truncated") from exc


def read_idx(path: Path, magic: int) -> npt.NDArray[np.uint8]:
    data = _read_bytes(path)
    if len(data) < 4:
        raise IdxError(f"{path}: {len(data)} bytes is too short for an IDX header")
    (found,) = struct.unpack(">I", data[:4])
    if found != magic:
        raise IdxError(f"{path}: magic number 0x{found:08x}, expected 0x{magic:08x}")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxError(f"{path}: truncated header")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise IdxError(
            f"{path}: {len(data)} bytes, but its header {shape} needs {expected}; "
            "the file is truncated or corrupt"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load_images(path: Path) -> npt.NDArray[np.uint8]:
    """Images as (n, rows*cols) uint8, e.g. (60000, 784) for MNIST."""
    images = read_idx(path, IMAGES_MAGIC)
    return images.reshape(images.shape[0], -1)


def load_labels(path: Path) -> npt.NDArray[np.uint8]:
    return read_idx(path, LABELS_MAGIC)


def write_idx(path: Path, array: npt.NDArray[np.uint8]) -> None:
    """Write `array` (uint8, 1 or 3 dimensions) as IDX, gzipped if the name ends in .gz."""
    magic = (_UBYTE << 8) | array.ndim
    data = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape)
    data += np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
