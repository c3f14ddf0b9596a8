"""Default names of what a deploy creates: taken from the user's project (the folder the command
runs in), never the tutorial's, and unique by default, because Azure wants endpoint names and DNS
labels unique in a region (Microsoft's own deploy scripts add a random suffix for that reason).
The suffix is made once and kept in the project's .scorehost/ folder, so every redeploy, status
or delete from the same folder names the same resources."""

import json
import re
import secrets
import string
import sys
from pathlib import Path

from scorehost.deploy.shared.errors import ConfigError

STATE_DIR = ".scorehost"
_NAMES_FILE = "names.json"
_SUFFIX_LENGTH = 6
_ALPHABET = string.ascii_lowercase + string.digits


def project_name(folder: Path) -> str:
    """The folder's name as Azure takes names: lowercase letters, digits and dashes, starting
    with a letter."""
    slug = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    return slug if slug[:1].isalpha() else f"p-{slug}".rstrip("-")


def state_dir(folder: Path) -> Path:
    """The project's .scorehost/ folder, made with a .gitignore of its own: it holds names and
    generated keys, which belong to this checkout and never in its history."""
    path = folder / STATE_DIR
    if not path.is_dir():
        path.mkdir(parents=True)
        (path / ".gitignore").write_text("# scorehost's state for this project: keep it local\n*\n")
    return path


def _suffix(folder: Path, create: bool) -> str:
    path = folder / STATE_DIR / _NAMES_FILE
    try:
        stored = json.loads(path.read_text())
        if isinstance(stored, dict) and isinstance(stored.get("suffix"), str):
            return str(stored["suffix"])
    except (OSError, ValueError):
        pass
    if not create:
        raise ConfigError(
            f"no name given, and {path} holds none of an earlier deploy from this folder: run "
            "the command where you deployed, or name the resource (see --help)"
        )
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(_SUFFIX_LENGTH))
    (state_dir(folder) / _NAMES_FILE).write_text(json.dumps({"suffix": suffix}) + "\n")
    print(f"names of this project end in -{suffix} (kept in {path})", file=sys.stderr)
    return suffix


def unique_name(folder: Path, limit: int, create: bool = True) -> str:
    """`<project>-<suffix>`, at most `limit` characters; `create`: make the suffix if there is
    none yet (a deploy), else ConfigError (a command on what a deploy made)."""
    suffix = _suffix(folder, create)
    base = project_name(folder)[: limit - len(suffix) - 1].rstrip("-")
    return f"{base}-{suffix}"


def asset_name(path: Path) -> str:
    """A registered model's name from its file or folder: letters, digits, dashes, underscores
    and dots, starting with a letter or digit (Azure ML's asset name rule)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem if path.suffix else path.name).strip("-._")
    return stem[:255] or "model"
