"""The versions the server in a scorehost image runs on, and a user's requirements held to them.

The image writes `pip list --format=freeze` of its venv to SERVER_LOCK (Dockerfile), and
`scorehost build` installs the user's requirements with it as pip constraints: a requirement
can add packages beside the server, never move one of the server's own (an old werkzeug with a
known multipart DoS, another uvicorn, scorehost itself). The same pins are read out of the base
image first, so a conflict stops the build before it starts, naming both versions."""

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from scorehost.app.commands import UsageError

SERVER_LOCK = "/opt/venv/scorehost-constraints.txt"
# Requirement markers are read as the image's Python reads them (python:3.11-slim, Debian).
IMAGE_ENVIRONMENT = {
    "python_version": "3.11",
    "python_full_version": "3.11.2",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}


@dataclass(frozen=True)
class ServerPins:
    image: str
    versions: dict[str, Version]  # canonical name -> version

    @classmethod
    def parse(cls, image: str, text: str) -> "ServerPins":
        versions: dict[str, Version] = {}
        for line in text.splitlines():
            name, sep, version = line.strip().partition("==")
            if not sep or name.startswith("#"):
                continue
            try:
                versions[canonicalize_name(name)] = Version(version)
            except InvalidVersion:
                continue
        return cls(image, versions)

    def check(self, lines: Iterable[str], origin: str) -> None:
        """Exit 2 for the first requirement the server's versions cannot meet."""
        for line in lines:
            requirement = _requirement(line)
            if requirement is None:
                continue
            if requirement.marker is not None and not requirement.marker.evaluate(
                IMAGE_ENVIRONMENT
            ):
                continue
            name = canonicalize_name(requirement.name)
            pinned = self.versions.get(name)
            if pinned is None:
                continue
            if name == "scorehost":
                raise UsageError(
                    f"{origin} asks for {line!r}, but the image is scorehost {pinned}: the server "
                    "comes from the base image (--base), so drop the line"
                )
            if requirement.url is not None:
                raise UsageError(
                    f"{origin} installs {requirement.name} from {requirement.url}, but the "
                    f"server in {self.image} runs on {requirement.name} {pinned}: drop the line, "
                    "the server's packages stay at the image's versions"
                )
            if not requirement.specifier.contains(pinned, prereleases=True):
                raise UsageError(
                    f"{origin} asks for {line!r}, but the server in {self.image} runs on "
                    f"{requirement.name} {pinned}: drop or widen the line (the server's packages "
                    f"stay at the image's versions; {SERVER_LOCK} lists them)"
                )


def _requirement(line: str) -> Requirement | None:
    text = line.split(" --hash")[0].strip()  # hash options follow a requirement on its line
    if not text or text.startswith(("#", "-")):
        return None
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None  # a wheel URL or other line pip reads; pip's constraints still hold it


class PinsUnavailable(Exception):
    """The base image's pins could not be read (no engine, no image): said, not fatal, in a dry
    run; a real build stops, since it would fail the same way."""


def read(docker: str, image: str, *, pull: bool) -> ServerPins:
    """The pins in `image` (pulled if missing and `pull`, as docker build would)."""
    run = [docker, "run", "--rm", "--network", "none", "--entrypoint", "cat"]
    try:
        result = subprocess.run(
            [*run, *([] if pull else ["--pull", "never"]), image, SERVER_LOCK],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except FileNotFoundError:
        raise PinsUnavailable(f"no docker client {docker!r} on PATH") from None
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()[:1] or ["no output"]  # docker's reason
        if "No such file" in result.stderr or "no such file" in result.stderr:
            raise UsageError(
                f"the base image {image} has no {SERVER_LOCK}: it was built before scorehost "
                "build held requirements to the server's versions; rebuild it (make image)"
            )
        raise PinsUnavailable(f"could not read {SERVER_LOCK} from {image}: {message[0]}")
    return ServerPins.parse(image, result.stdout)
