"""The files of a user's folder that go to Azure, chosen as Azure ML chooses a snapshot's: the
folder's `.amlignore`, else its `.gitignore` ("If both files exist, the .amlignore file is used";
Microsoft Learn, "Understand and work with snapshots" and azure-ai-ml's get_ignore_file), and
never what is not the project's to send: version control, virtual environments, caches,
scorehost's own state (`.scorehost/`, where API keys are kept), hidden files, and links that
point out of the folder.

A score.py at a repository's root would otherwise take the whole repository with it."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

IGNORE_FILES = (".amlignore", ".gitignore")
NEVER = frozenset({"__pycache__", ".ipynb_checkpoints", "node_modules"})


def _ignore_spec(folder: Path) -> tuple[Path | None, pathspec.PathSpec | None]:
    for name in IGNORE_FILES:
        path = folder / name
        if path.is_file():
            return path, pathspec.GitIgnoreSpec.from_lines(path.read_text().splitlines())
    return None, None


def _never(name: str) -> bool:
    return name.startswith(".") or name in NEVER


def _is_virtualenv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()  # a venv under any name (venv/, env/, ...)


@dataclass(frozen=True)
class Snapshot:
    """`files` (relative to `folder`, sorted) are what would be sent."""

    folder: Path
    files: tuple[Path, ...]
    ignore_file: Path | None

    @classmethod
    def of(cls, folder: Path) -> "Snapshot":
        root = folder.resolve()
        ignore_file, spec = _ignore_spec(root)
        chosen: list[Path] = []
        for current, dirs, names in os.walk(root):
            here = Path(current)
            dirs[:] = [d for d in dirs if not _never(d) and not _is_virtualenv(here / d)]
            for name in names:
                path = here / name
                relative = path.relative_to(root)
                if _never(name) or path.suffix == ".pyc" or not path.is_file():
                    continue
                if path.is_symlink() and not path.resolve().is_relative_to(root):
                    continue
                if spec is not None and spec.match_file(relative.as_posix()):
                    continue
                chosen.append(relative)
        return cls(root, tuple(sorted(chosen)), ignore_file)

    def paths(self) -> Iterator[Path]:
        """The files to send, as paths to read."""
        return (self.folder / relative for relative in self.files)

    @property
    def total_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.paths())

    def listing(self) -> dict[str, Any]:
        """For a dry run: what would be uploaded, with sizes."""
        return {
            "folder": str(self.folder),
            "ignore_file": self.ignore_file.name if self.ignore_file else None,
            "files": {f.as_posix(): (self.folder / f).stat().st_size for f in self.files},
            "total_bytes": self.total_bytes,
        }

    @contextmanager
    def staged(self) -> Iterator[Path]:
        """A copy holding only the snapshot's files, in a folder of the same name (Azure ML v1
        puts the source folder under /var/azureml-app by its name); removed afterwards."""
        with tempfile.TemporaryDirectory(prefix="scorehost-snapshot-") as parent:
            copy = Path(parent) / self.folder.name
            copy.mkdir()
            for relative in self.files:
                target = copy / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.folder / relative, target)
            yield copy
