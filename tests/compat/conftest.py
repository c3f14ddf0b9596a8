"""One suite, two servers: every test in tests/compat runs against scorehost and against Azure
ML's own server (azmlinfsrv), both started the same way, with azmlinfsrv's own flags, in an
app root holding the scripts (as /var/azureml-app does). Where the answers differ on purpose,
the test says so and the README's "Differences from Azure ML's server" table says why."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paths import ROOT, SCRIPTS
from tests.servers import ServerProcess, free_port

AML_SCRIPTS = SCRIPTS / "aml"
SERVERS = ("scorehost", "azmlinfsrv")


@dataclass
class Running(ServerProcess):
    kind: str
    app_root: Path


@pytest.fixture(scope="session")
def azmlinfsrv_command() -> Path:
    """azmlinfsrv, installed once in a venv of its own (scripts/azmlinfsrv-venv.sh)."""
    result = subprocess.run(
        [ROOT / "scripts" / "azmlinfsrv-venv.sh"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        why = f"azmlinfsrv could not be installed: {result.stderr.strip()[-500:]}"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return ROOT / result.stdout.strip().splitlines()[-1]


class Servers:
    """Servers started on demand, one per (server, script, settings), kept for the session."""

    def __init__(self, root: Path, azmlinfsrv: Path) -> None:
        self._root = root
        self._azmlinfsrv = azmlinfsrv
        self._running: dict[tuple[object, ...], Running] = {}

    def start(
        self,
        kind: str,
        script: str,
        *args: str,
        env: dict[str, str] | None = None,
        files: dict[str, str] | None = None,
    ) -> Running:
        key = (
            kind,
            script,
            args,
            tuple(sorted((env or {}).items())),
            tuple(sorted((files or {}).items())),
        )
        if key in self._running:
            return self._running[key]
        app_root = self._root / f"app-{len(self._running)}"
        shutil.copytree(AML_SCRIPTS, app_root)
        for name, text in (files or {}).items():
            (app_root / name).write_text(text)
        port = free_port()
        flags = ["--entry_script", script, "--port", str(port), *args]
        command = (
            [str(self._azmlinfsrv), *flags]
            if kind == "azmlinfsrv"
            else [sys.executable, "-m", "scorehost", "serve", *flags]
        )
        log_path = app_root.with_suffix(".log")
        environment = {**os.environ, **(env or {})}
        for name in ("AZUREML_MODEL_DIR", "AML_APP_ROOT", "AZUREML_ENTRY_SCRIPT", "WORKER_COUNT"):
            if name not in (env or {}):
                environment.pop(name, None)
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                command,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=app_root,
                env=environment,
                start_new_session=True,
            )
        server = Running(process, f"http://127.0.0.1:{port}", log_path, kind, app_root)
        self._running[key] = server
        server.wait_ready(deadline_s=90, probe="/")
        return server

    def stop_all(self) -> None:
        for server in self._running.values():
            server.stop()


@pytest.fixture(scope="session")
def servers(
    tmp_path_factory: pytest.TempPathFactory, azmlinfsrv_command: Path
) -> Iterator[Servers]:
    started = Servers(tmp_path_factory.mktemp("compat"), azmlinfsrv_command)
    yield started
    started.stop_all()


@pytest.fixture(params=SERVERS)
def kind(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name
