"""Deploy tests: the real azureml-core against an HTTP-level fake; no socket leaves loopback."""

import copy
import ipaddress
import json
import os
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import responses

from scorehost.deploy.shared import credentials
from scorehost.deploy.shared.dry_run import PlaceholderCredential
from tests.deploy import fake_arm
from tests.deploy.fake_arm import FakeArm
from tests.deploy.fake_azure import GROUP, SUB, WORKSPACE, FakeAzure, jwt_token
from tests.servers import ServerProcess

DIGEST_REF = "wsregistry.azurecr.io/scorehost@sha256:" + "a" * 64
# Every deploy test runs in a user's project folder whose names carry this suffix (.scorehost/).
PROJECT, SUFFIX = "my-project", "t3st01"
NAME = f"{PROJECT}-{SUFFIX}"  # what every target names what it creates, unless told otherwise


@pytest.fixture(autouse=True)
def _in_a_users_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Deploy commands run from the user's project: default names come from its folder."""
    folder = tmp_path / PROJECT
    (folder / ".scorehost").mkdir(parents=True)
    (folder / ".scorehost" / "names.json").write_text(json.dumps({"suffix": SUFFIX}))
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture(scope="session", autouse=True)
def _azureml_home() -> Iterator[None]:
    # azureml-core writes caches under HOME at import time: keep them out of the real one.
    saved = {
        name: os.environ.get(name) for name in ("HOME", "AZUREML_LOG_DEPRECATION_WARNING_ENABLED")
    }
    os.environ["HOME"] = tempfile.mkdtemp(prefix="azureml-home-")
    os.environ["AZUREML_LOG_DEPRECATION_WARNING_ENABLED"] = "False"
    import azureml.core  # noqa: F401  (before any azureml._model_management module)

    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach a real host fails at once instead of costing SDK retries."""
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
            raise ConnectionRefusedError(f"test socket guard: {address} is not loopback")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_getaddrinfo(socket.getaddrinfo))


def _loopback_getaddrinfo(real: Any) -> Any:
    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "localhost") and not str(host).startswith("127."):
            raise socket.gaierror(f"test socket guard: no DNS for {host}")
        return real(host, *args, **kwargs)

    return lookup


def comparable_v1_body(body: dict[str, Any]) -> dict[str, Any]:
    """Drop what only exists once files are uploaded: asset URLs and temp-file names."""
    body = copy.deepcopy(body)
    request = body["environmentImageRequest"]
    request["assets"] = [(asset["mimeType"], asset.get("unpack")) for asset in request["assets"]]
    request["driverProgram"] = "<driver>"
    return body


@dataclass
class FakeDocker:
    """Stands in for the docker CLI: records argv and stdin, answers like docker would."""

    local_images: set[str] = field(default_factory=lambda: {"scorehost:latest"})
    calls: list[tuple[list[str], str | None]] = field(default_factory=list)
    fail_push: bool = False
    digest_ref: str = DIGEST_REF

    def __call__(self, argv: Sequence[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        argv = list(argv)
        self.calls.append((argv, stdin))
        if argv[1:3] == ["image", "inspect"] and "--format" not in argv:
            code = 0 if argv[3] in self.local_images else 1
            return subprocess.CompletedProcess(
                argv, code, "[]", "" if code == 0 else "No such image"
            )
        if argv[1] == "push" and self.fail_push:
            return subprocess.CompletedProcess(argv, 1, "", "denied: requested access is denied")
        out = json.dumps([self.digest_ref]) if "{{json .RepoDigests}}" in argv else ""
        return subprocess.CompletedProcess(argv, 0, out, "")


@pytest.fixture
def fake_docker() -> FakeDocker:
    return FakeDocker()


@pytest.fixture
def workspace_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps({"subscription_id": SUB, "resource_group": GROUP, "workspace_name": WORKSPACE})
    )
    return path


@pytest.fixture
def fake_azure(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAzure]:
    from azureml.core.authentication import TokenAuthentication

    from scorehost.deploy.azureml_v1 import sdk

    # Credentials are the one thing not fetched over HTTP here: a JWT-shaped token.
    monkeypatch.setattr(
        sdk,
        "make_auth",
        lambda *_: TokenAuthentication(lambda _audience: jwt_token(), cloud="AzureCloud"),
    )
    fake = FakeAzure()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake
    assert fake.unexpected == [], f"endpoints the fake does not know: {fake.unexpected}"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The config.json of the ARM fake's workspace (v2 targets)."""
    path = tmp_path / "config.json"
    ids = {
        "subscription_id": fake_arm.SUB,
        "resource_group": fake_arm.GROUP,
        "workspace_name": fake_arm.WORKSPACE,
    }
    path.write_text(json.dumps(ids))
    return path


def serve_fake_arm(monkeypatch: pytest.MonkeyPatch, fake: FakeArm) -> Iterator[FakeArm]:
    # Credentials are the one thing not fetched over HTTP here.
    monkeypatch.setattr(credentials, "make_credential", lambda *_: PlaceholderCredential())
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake
    assert fake.unexpected == [], f"endpoints the fake does not know: {fake.unexpected}"


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch, tutorial: ServerProcess) -> Iterator[FakeArm]:
    # a real scorehost stands in for the endpoint Azure would run
    yield from serve_fake_arm(monkeypatch, FakeArm(scoring_uri=f"{tutorial.url}/score"))
