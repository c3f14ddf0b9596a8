"""Model files pinned by SHA-256: a swapped or corrupted model stops the server before init()."""

from pathlib import Path

from app.checksums import sha256_file
from app.entry_script import EntryScriptError


def verify_pins(model_dir: Path | None, pins: dict[str, str]) -> None:
    for name, expected in pins.items():
        path = (model_dir or Path()) / name
        if not path.is_file():
            raise EntryScriptError(f"pinned model file {path} does not exist")
        actual = sha256_file(path)
        if actual != expected:
            raise EntryScriptError(
                f"model file {path} has SHA-256 {actual}, but SCOREHOST_MODEL_SHA256 pins "
                f"{expected}; refusing to load it"
            )
