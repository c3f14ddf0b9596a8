"""Model files pinned by SHA-256: a swapped or corrupted model stops the server before init()."""

import hashlib
from pathlib import Path

from scorehost.app.scoring.entry_script import EntryScriptError


def verify_pins(model_dir: Path | None, pins: dict[str, str]) -> None:
    for name, expected in pins.items():
        path = (model_dir or Path()) / name
        if not path.is_file():
            raise EntryScriptError(f"pinned model file {path} does not exist")
        with path.open("rb") as file:
            actual = hashlib.file_digest(file, "sha256").hexdigest()
        if actual != expected:
            raise EntryScriptError(
                f"model file {path} has SHA-256 {actual}, but SCOREHOST_MODEL_SHA256 pins "
                f"{expected}; refusing to load it"
            )
