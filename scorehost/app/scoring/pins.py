"""Model files pinned by SHA-256: a swapped or corrupted model stops the server before init()."""

import hashlib
from collections.abc import Mapping
from pathlib import Path


class PinMismatch(Exception):
    """A pinned file is missing or its digest differs; the message names both digests."""


def verify_pins(model_dir: Path | None, pins: Mapping[str, str]) -> None:
    for name, expected in pins.items():
        path = (model_dir or Path()) / name
        if not path.is_file():
            raise PinMismatch(f"pinned model file {path} does not exist")
        with path.open("rb") as file:
            actual = hashlib.file_digest(file, "sha256").hexdigest()
        if actual != expected:
            raise PinMismatch(
                f"model file {path} has SHA-256 {actual}, but SCOREHOST_MODEL_SHA256 pins "
                f"{expected}; refusing to load it"
            )
