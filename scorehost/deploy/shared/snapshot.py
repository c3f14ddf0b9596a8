"""The files of a user's folder that go to Azure, chosen as Azure ML chooses a snapshot's: the
folder's `.amlignore`, else its `.gitignore` ("If both files exist, the .amlignore file is used";
Microsoft Learn, "Understand and work with snapshots" and azure-ai-ml's get_ignore_file), and
never what is not the project's to send: version control, virtual environments, caches,
scorehost's own state (`.scorehost/`, where API keys are kept), hidden files, and links that
point out of the folder, nowhere, or round in a loop (listed in `bad_links`, so a caller can refuse
them by name). An image build also honours the folder's `.dockerignore`, as `docker build` would
for a context of its own.

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
DOCKERIGNORE = ".dockerignore"
NEVER = frozenset({"__pycache__", ".ipynb_checkpoints", "node_modules"})


def _ignore_spec(folder: Path) -> tuple[Path | None, pathspec.PathSpec | None]:
    for name in IGNORE_FILES:
        path = folder / name
        if path.is_file():
            return path, pathspec.GitIgnoreSpec.from_lines(path.read_text().splitlines())
    return None, None


def _dockerignore_spec(folder: Path) -> pathspec.PathSpec | None:
    """A .dockerignore's patterns hold from the context's root (`*.csv` is only the root's), so
    each is anchored before it is read with .gitignore's rules."""
    path = folder / DOCKERIGNORE
    if not path.is_file():
        return None
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated, pattern = (True, line[1:]) if line.startswith("!") else (False, line)
        lines.append(("!" if negated else "") + "/" + pattern.lstrip("/"))
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _link_problem(path: Path, root: Path) -> str | None:
    """Why a link cannot go with the folder, or None when it stays inside it."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return f"points nowhere ({path.readlink()})"
    except (RuntimeError, OSError):  # 3.11 raises RuntimeError on a loop, later ones OSError
        return "is a loop of links"
    if not target.is_relative_to(root):
        return f"points out of the folder, to {target}"
    return None


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
    bad_links: tuple[tuple[Path, str], ...] = ()  # (link, why), left out
    folder_links: tuple[Path, ...] = ()  # links to folders inside: kept as links when staged
    dockerignore_file: Path | None = None  # read too (an image build's snapshot)

    @classmethod
    def of(cls, folder: Path, *, dockerignore: bool = False) -> "Snapshot":
        root = folder.resolve()
        ignore_file, spec = _ignore_spec(root)
        docker_spec = _dockerignore_spec(root) if dockerignore else None

        def ignored(relative: Path) -> bool:
            return any(
                s is not None and s.match_file(relative.as_posix()) for s in (spec, docker_spec)
            )

        chosen: list[Path] = []
        bad: list[tuple[Path, str]] = []
        folder_links: list[Path] = []
        for current, dirs, names in os.walk(root):
            here = Path(current)
            dirs[:] = [d for d in dirs if not _never(d) and not _is_virtualenv(here / d)]
            for name in [d for d in dirs if (here / d).is_symlink()]:
                dirs.remove(name)  # never walked through: a link is sent as a link, or not at all
                relative = (here / name).relative_to(root)
                if ignored(relative):
                    continue
                problem = _link_problem(here / name, root)
                if problem is None:
                    folder_links.append(relative)
                else:
                    bad.append((relative, problem))
            for name in names:
                path = here / name
                relative = path.relative_to(root)
                if _never(name) or path.suffix == ".pyc" or ignored(relative):
                    continue
                if path.is_symlink():
                    problem = _link_problem(path, root)
                    if problem is not None:
                        bad.append((relative, problem))
                        continue
                if not path.is_file():
                    continue
                chosen.append(relative)
        return cls(
            root,
            tuple(sorted(chosen)),
            ignore_file,
            tuple(sorted(bad)),
            tuple(sorted(folder_links)),
            root / DOCKERIGNORE if docker_spec is not None else None,
        )

    @property
    def ignore_files(self) -> tuple[Path, ...]:
        """The ignore files whose rules chose the files."""
        return tuple(f for f in (self.ignore_file, self.dockerignore_file) if f is not None)

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
            self.copy_to(copy)
            yield copy

    def copy_to(self, target: Path) -> None:
        """Write the snapshot's files into `target` (links to folders inside stay links)."""
        for relative in self.files:
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.folder / relative, path)
        for relative in self.folder_links:
            link = target / relative
            link.parent.mkdir(parents=True, exist_ok=True)
            pointed = (self.folder / relative).resolve()
            link.symlink_to(os.path.relpath(pointed, (self.folder / relative).parent))
