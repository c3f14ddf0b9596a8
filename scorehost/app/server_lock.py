"""`python -m scorehost.app.server_lock`: the versions the server installed in this environment
runs on, as pip constraints. The image writes them to /opt/venv/scorehost-constraints.txt before
any model's libraries go in, and `scorehost build` installs a user's requirements under them:
they can add packages beside the server, never move one of the server's own.

A package the server shares with models (numpy) is held only to the server's own range, not to
the image's version: a model built on an older scikit-learn needs the numpy it was built for."""

import re
import sys
from importlib.metadata import distributions, requires

# The server works with any release in its own range; models often need a particular one.
SHARED_WITH_MODELS = frozenset({"numpy"})
_NOT_PINNED = frozenset({"pip", "setuptools", "wheel"})
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _own_ranges() -> dict[str, str]:
    """The server's own requirements (no extras): canonical name -> specifier."""
    ranges = {}
    for text in requires("scorehost") or []:
        if "extra ==" in text:
            continue
        match = _REQUIREMENT.match(text)
        if match:
            ranges[canonical(match.group(1))] = match.group(2).strip()
    return ranges


def constraints() -> list[str]:
    ranges = _own_ranges()
    lines = []
    for dist in distributions():
        name = dist.metadata["Name"]
        key = canonical(name)
        if key in _NOT_PINNED:
            continue
        if key in SHARED_WITH_MODELS and key in ranges:
            lines.append(f"{name}{ranges[key]}")
        else:
            lines.append(f"{name}=={dist.version}")
    return sorted(set(lines), key=str.lower)


if __name__ == "__main__":
    sys.stdout.write(
        "# the server's versions in this image (python -m scorehost.app.server_lock)\n"
        + "".join(f"{line}\n" for line in constraints())
    )
