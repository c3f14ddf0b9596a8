"""Push the local image to the workspace's registry with the docker CLI; return its digest."""

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scorehost.deploy.shared.errors import PushError

Runner = Callable[[Sequence[str], str | None], subprocess.CompletedProcess[str]]


def run_command(argv: Sequence[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), input=stdin, capture_output=True, text=True, check=False)


@dataclass(frozen=True)
class RegistryLogin:
    server: str  # e.g. myregistry.azurecr.io
    username: str
    password: str

    def __repr__(self) -> str:  # never show the password, even in a traceback
        return f"RegistryLogin(server={self.server!r}, username={self.username!r}, password=***)"


class DockerCli:
    def __init__(self, run: Runner = run_command, docker: str = "docker") -> None:
        self._run = run
        self._docker = docker

    def _call(self, *args: str, stdin: str | None = None) -> str:
        result = self._run([self._docker, *args], stdin)
        if result.returncode != 0:
            raise PushError(f"docker {args[0]} failed: {result.stderr.strip() or result.stdout}")
        return result.stdout

    def image_exists(self, image: str) -> bool:
        try:
            return self._run([self._docker, "image", "inspect", image], None).returncode == 0
        except FileNotFoundError:  # no docker CLI on this machine
            return False

    def push(self, image: str, login: RegistryLogin | str, repository: str, tag: str) -> str:
        """Tag, log in (password on stdin only), push; return `server/repository@sha256:...`.
        `login` is a login server alone where docker is logged in already (az acr login)."""
        server = login.server if isinstance(login, RegistryLogin) else login
        target = f"{server}/{repository}:{tag}"
        self._call("tag", image, target)
        if isinstance(login, RegistryLogin):
            self._call(
                "login",
                login.server,
                "--username",
                login.username,
                "--password-stdin",
                stdin=login.password,
            )
        self._call("push", target)
        digests = json.loads(
            self._call("image", "inspect", "--format", "{{json .RepoDigests}}", target)
        )
        prefix = f"{server}/{repository}@"
        pinned = [digest for digest in digests or [] if digest.startswith(prefix)]
        if not pinned:
            raise PushError(f"pushed {target} but docker reports no digest for it: {digests}")
        return str(pinned[0])
