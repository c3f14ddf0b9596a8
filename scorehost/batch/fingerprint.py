"""What a run's results depend on, so a rerun into the same --output resumes only when its
results would be the same: the script's bytes, the model folder's and the input's content, and
the options that change what run() is given or returns.

File contents are SHA-256 digests kept in --output/inputs.digests beside each file's size and
modification time: a rerun reads only the files whose size or time changed, so checking a large
input or model costs a stat per file."""

import hashlib
import json
from pathlib import Path
from typing import Any

DIGESTS_NAME = "inputs.digests"


class Digests:
    """Content digests of files, remembered by size and modification time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._known: dict[str, list[Any]] = json.loads(path.read_text())
        except (OSError, ValueError):
            self._known = {}

    def of_file(self, path: Path) -> str:
        stat = path.stat()
        key = str(path.resolve())
        known = self._known.get(key)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return str(known[2])
        with path.open("rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        self._known[key] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def of_files(self, root: Path, files: list[Path]) -> str:
        """One digest over the files' names (relative to `root`) and contents."""
        sha = hashlib.sha256()
        for path in files:
            name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            sha.update(f"{name}\0{self.of_file(path)}\n".encode())
        return sha.hexdigest()

    def of_folder(self, folder: Path) -> str:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        return self.of_files(folder, files)

    def save(self) -> None:
        partial = self.path.with_name(f".{self.path.name}.partial")
        partial.write_text(json.dumps(self._known))
        partial.replace(self.path)


def changed(recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What differs between two identities: `script`, `model`, `input`, or an option's name."""
    parts = [key for key in ("script", "model", "input") if recorded.get(key) != current.get(key)]
    old, new = recorded.get("options", {}), current.get("options", {})
    parts += sorted(key for key in {*old, *new} if old.get(key) != new.get(key))
    return parts
