"""The real `scorehost serve` process on a free port, talked to over a socket."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx
import pytest

from tests.paths import ROOT, TUTORIAL_SCRIPT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_in_flight(url: str, count: int, deadline_s: float = 30) -> None:
    """Until `count` requests are being served (as /metrics counts them, this poll excluded)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        metrics = httpx.get(f"{url}/metrics", timeout=5).text
        line = next(x for x in metrics.splitlines() if x.startswith("scorehost_requests_in_flight"))
        if float(line.split()[-1]) - 1 >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{count} requests never in flight at {url}")


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, deadline_s: float = 60, probe: str = "/health/ready") -> None:
        """Until `probe` answers 200 (Azure ML's server has only `/`)."""
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}{probe}", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server not ready after {deadline_s} s:\n{self.log()}")

    def wait_for_log(self, text: str, deadline_s: float = 60) -> None:
        """Log lines are written after the response is sent: poll for them."""
        deadline = time.monotonic() + deadline_s
        while text not in self.log():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never logged:\n{self.log()}")
            time.sleep(0.05)

    def wait_in_flight(self, count: int, deadline_s: float = 30) -> None:
        wait_in_flight(self.url, count, deadline_s)

    def score_in_flight(self, content: str, timeout_s: float = 30) -> Callable[[], httpx.Response]:
        """POST /score from a thread and return once the server counts it in flight; the
        returned call waits for the answer."""
        answers: list[httpx.Response] = []
        thread = threading.Thread(
            target=lambda: answers.append(
                httpx.post(f"{self.url}/score", content=content, timeout=timeout_s)
            )
        )
        thread.start()
        self.wait_in_flight(1)

        def answer() -> httpx.Response:
            thread.join()
            return answers[0]

        return answer

    def wait_exit(self, timeout_s: float = 60) -> int:
        return self.process.wait(timeout=timeout_s)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class StartServer(Protocol):
    def __call__(
        self, *args: str | Path, env: dict[str, str] | None = None, wait: bool = True
    ) -> ServerProcess: ...


def launch(args: Sequence[str | Path], env: dict[str, str] | None, log_path: Path) -> ServerProcess:
    """`python -m scorehost serve ARGS` on a free port, its output in `log_path`."""
    port = free_port()
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "scorehost", "serve", "--port", str(port), *map(str, args)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # so teardown can kill its whole process group
        )
    return ServerProcess(process, f"http://127.0.0.1:{port}", log_path)


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    started: list[ServerProcess] = []

    def start(
        *args: str | Path, env: dict[str, str] | None = None, wait: bool = True
    ) -> ServerProcess:
        server = launch(args, env, tmp_path / f"server-{len(started)}.log")
        started.append(server)
        if wait:
            server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def tutorial(
    tmp_path_factory: pytest.TempPathFactory, mnist_model_dir: Path
) -> Iterator[ServerProcess]:
    """The tutorial's unmodified score.py and trained model, served for a whole test module."""
    log_path = tmp_path_factory.mktemp("tutorial") / "server.log"
    server = launch(
        ["--entry-script", TUTORIAL_SCRIPT, "--model-dir", mnist_model_dir], None, log_path
    )
    server.wait_ready()
    yield server
    server.stop()
