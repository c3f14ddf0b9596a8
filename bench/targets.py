"""The servers `make bench` compares, each started the way its users start it."""

import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
ANCHORS = ROOT / ".bench"
# scorehost and the HTTP floor run as the image installs them (bench/anchors.sh)
SERVING_PYTHON = str(ANCHORS / "scorehost" / "bin" / "python")
SCORE = ROOT / "scorehost" / "examples" / "mnist" / "score.py"
SCORE_TYPED = ROOT / "scorehost" / "examples" / "mnist" / "score_typed.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Target:
    """One server configuration: how to start it and how to shape a request for it."""

    name: str
    protocol: str  # "data" ({"data": rows}), "npy" or "v2" (MLServer's inference protocol)
    command: list[str]
    ready_path: str
    score_path: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    workdir: Path = ROOT
    holds: Any = None  # what must stay open while it runs (a black-hole socket)
    workers: int = 2
    health_path: str = "/"  # what "first healthy" means for start-up: Azure ML's probe

    def body(self, rows: npt.NDArray[np.float64], protocol: str | None = None) -> tuple[bytes, str]:
        protocol = protocol or self.protocol
        if protocol == "npy":
            import io

            buffer = io.BytesIO()
            np.save(buffer, rows, allow_pickle=False)
            return buffer.getvalue(), "application/x-npy"
        if protocol == "v2":
            tensor = {
                "name": "input-0",
                "shape": list(rows.shape),
                "datatype": "FP64",
                "data": rows.ravel().tolist(),
            }
            return json.dumps({"inputs": [tensor]}).encode(), "application/json"
        return json.dumps({"data": rows.tolist()}).encode(), "application/json"

    def start(self, ready_path: str | None = None) -> tuple[subprocess.Popen[bytes], float]:
        """Start it; return the process and the seconds from start to its first 200 on
        `ready_path` (its readiness probe unless told)."""
        started = time.monotonic()
        process = subprocess.Popen(
            [part.replace("{port}", str(self.port)) for part in self.command],
            cwd=self.workdir,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{self.port}{ready_path or self.ready_path}"
        while time.monotonic() - started < 120:
            if process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {process.returncode}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return process, time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} not ready after 120 s")


def targets(model_dir: Path, workers: int, work: Path) -> list[Target]:
    def azmlinfsrv(script: Path) -> list[str]:
        return [
            str(ANCHORS / "azmlinfsrv" / "bin" / "azmlinfsrv"),
            "--entry_script",
            str(script),
            "--model_dir",
            str(model_dir),
            "--port",
            "{port}",
        ]

    def scorehost(script: Path, count: int = workers, *extra: str) -> list[str]:
        return [
            SERVING_PYTHON,
            "-m",
            "scorehost",
            "serve",
            "--model-dir",
            str(model_dir),
            "--port",
            "{port}",
            "--workers",
            str(count),
            "--log-level",
            "warning",
            "--entry-script",
            str(script),
            *extra,
        ]

    def azml(name: str, script: Path, count: int = workers) -> Target:
        return Target(
            name,
            "data",
            azmlinfsrv(script),
            "/",
            "/score",
            env={"WORKER_COUNT": str(count)},
            workers=count,
        )

    def ours(name: str, protocol: str, command: list[str], count: int = workers) -> Target:
        return Target(name, protocol, command, "/health/ready", "/score", workers=count)

    batching = ("--max-batch-size", "32", "--max-batch-wait-ms", "2")
    return [
        Target(
            "HTTP floor (bare ASGI app, uvicorn + uvloop + httptools)",
            "data",
            [SERVING_PYTHON, "-m", "bench.floor", "--port", "{port}", "--workers", str(workers)],
            "/",
            "/score",
            workers=workers,
        ),
        azml("azmlinfsrv, tutorial score.py", SCORE),
        azml("azmlinfsrv, tutorial score.py, 1 worker", SCORE, 1),
        azml("azmlinfsrv, typed score.py", SCORE_TYPED),
        ours("scorehost, tutorial score.py", "data", scorehost(SCORE)),
        ours("scorehost, tutorial score.py, 1 worker", "data", scorehost(SCORE, 1), 1),
        _with_telemetry_to_a_black_hole(scorehost(SCORE)),
        ours("scorehost, typed score.py", "data", scorehost(SCORE_TYPED)),
        ours("scorehost, typed score.py, .npy", "npy", scorehost(SCORE_TYPED)),
        ours(
            "scorehost, typed, micro-batching", "data", scorehost(SCORE_TYPED, workers, *batching)
        ),
        _mlserver(work, model_dir, batching=False),
        _mlserver(work, model_dir, batching=True),
    ]


def _with_telemetry_to_a_black_hole(scorehost: list[str]) -> Target:
    """Telemetry on, to an ingestion endpoint that accepts connections and never answers: what
    an unreachable Application Insights costs each request (nothing, if exporting stays off
    the request path)."""
    black_hole = socket.socket()
    black_hole.bind(("127.0.0.1", 0))
    black_hole.listen(1024)
    endpoint = f"http://127.0.0.1:{black_hole.getsockname()[1]}/"
    return Target(
        "scorehost, tutorial score.py, telemetry to a black hole",
        "data",
        scorehost,
        "/health/ready",
        "/score",
        env={
            "APPLICATIONINSIGHTS_CONNECTION_STRING": (
                f"InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint={endpoint}"
            )
        },
        holds=black_hole,
    )


def _mlserver(work: Path, model_dir: Path, batching: bool) -> Target:
    port = free_port()
    repo = _mlserver_repo(work, model_dir, batching, port)
    return Target(
        f"MLServer, adaptive batching {'on' if batching else 'off'}",
        "v2",
        [str(ANCHORS / "mlserver" / "bin" / "mlserver"), "start", str(repo)],
        "/v2/health/ready",
        "/v2/models/mnist/infer",
        port=port,
        workdir=repo,
        workers=1,
        health_path="/v2/health/ready",
    )


def _mlserver_repo(work: Path, model_dir: Path, batching: bool, port: int) -> Path:
    repo = work / f"mlserver-{'batching' if batching else 'plain'}"
    (repo / "mnist").mkdir(parents=True, exist_ok=True)
    model: dict[str, Any] = {
        "name": "mnist",
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": str(model_dir / "sklearn_mnist_model.pkl")},
    }
    if batching:  # its best one-row setting measured on this 2-core machine
        model |= {"max_batch_size": 32, "max_batch_time": 0.01}
    (repo / "mnist" / "model-settings.json").write_text(json.dumps(model))
    settings = {
        "http_port": port,
        "grpc_port": free_port(),
        "parallel_workers": 0,
        "metrics_port": free_port(),
    }
    (repo / "settings.json").write_text(json.dumps(settings))
    return repo
