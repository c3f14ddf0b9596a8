"""`make redteam`: the red-team cases against a real scorehost (loopback only, bounded in time
and size), one table row each: what the attacker got, the worker's memory, whether probes kept
answering. Not in CI: the end-to-end tests (tests/e2e/test_red_team.py) assert the same cases.

The server runs with the default settings of a 2 GiB container (the k8s overlay's limit):
SCOREHOST_MEMORY_LIMIT_BYTES=2147483648."""

import argparse
import contextlib
import io
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 2 * 2**30


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    port: int

    def worker(self) -> int:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return int(out.stdout.split()[0])

    def peak_mb(self) -> int:
        status = Path(f"/proc/{self.worker()}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) // 1024  # type: ignore[union-attr]


@contextlib.contextmanager
def serving(script: str, model_dir: Path, port: int, log: Path) -> Iterator[Server]:
    env = {"SCOREHOST_MEMORY_LIMIT_BYTES": str(MEMORY), "PATH": "/usr/bin:/bin"}
    argv = [sys.executable, "-m", "scorehost", "serve", "--entry-script", script]
    argv += ["--model-dir", str(model_dir), "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    server = Server(process, f"http://127.0.0.1:{port}", port)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{server.url}/health/ready").status_code == 200:
                    break
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()


def probing(url: str) -> tuple[Callable[[], str], threading.Event]:
    """GET / every 100 ms (k8s probe timeout 3 s) while a case runs; returns the verdict."""
    worst, failures, stop = [0.0], [0], threading.Event()

    def loop() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                if httpx.get(f"{url}/", timeout=3).status_code != 200:
                    failures[0] += 1
            except httpx.TransportError:
                failures[0] += 1
            worst[0] = max(worst[0], time.monotonic() - started)
            time.sleep(0.1)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()

    def verdict() -> str:
        stop.set()
        thread.join()
        return f"yes (worst {worst[0]:.2f} s)" if not failures[0] else f"NO ({failures[0]} failed)"

    return verdict, stop


def raw(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=15)


def status_of(sock: socket.socket) -> str:
    with contextlib.suppress(OSError):
        data = sock.recv(200)
        return data.split(b"\r\n", 1)[0].decode(errors="replace") or "closed"
    return "reset"


def rows_body(rows: int, nan_at: int | None = None) -> bytes:
    """Pixel-like values (4 decimals, as the tutorial's digits / 255 mostly are)."""
    data = np.random.default_rng(0).random((rows, 784)).round(4).tolist()
    if nan_at is not None:
        data[nan_at][5] = float("nan")
    return json.dumps({"data": data}).encode()


def _mb(body: bytes) -> str:
    return f"{len(body) / 2**20:.0f} MB"


def cases(server: Server, log: Path) -> Iterator[tuple[str, Callable[[], str]]]:
    """Bodies are built first: building them in this process while probing would starve the
    prober thread, not the server."""
    url = server.url
    nan, rows_10k, rows_21k = rows_body(10_000, nan_at=9_000), rows_body(10_000), rows_body(21_000)

    def nan_body() -> str:
        return str(httpx.post(f"{url}/score", content=nan, timeout=120).status_code)

    def endless_header() -> str:
        with raw(server) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Flood: ")
            with contextlib.suppress(OSError):
                for _ in range(10_000):  # up to 100 MB
                    sock.sendall(b"a" * 10_000)
            return status_of(sock)

    def slowloris() -> str:
        socks = [raw(server) for _ in range(500)]
        for sock in socks:
            sock.sendall(b"GET / HTTP/1.1\r\n")
        statuses = {status_of(sock) for sock in socks}
        for sock in socks:
            sock.close()
        return ", ".join(sorted(statuses))

    def idle_crowd() -> str:
        socks = [raw(server) for _ in range(900)]
        try:
            return f"new client: {httpx.get(f'{url}/health/live', timeout=15).status_code}"
        finally:
            for sock in socks:
                sock.close()

    def large_body() -> str:
        return str(httpx.post(f"{url}/score", content=rows_21k, timeout=120).status_code)

    def eight_at_once() -> str:
        body = rows_10k
        with httpx.Client(timeout=120) as client:
            results: list[int] = []
            threads = [
                threading.Thread(
                    target=lambda: results.append(
                        client.post(f"{url}/score", content=body).status_code
                    )
                )
                for _ in range(8)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return ", ".join(f"{results.count(s)}x{s}" for s in sorted(set(results)))

    def hang_up() -> str:
        with raw(server) as sock:
            sock.sendall(b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 9999\r\n\r\n{")
        time.sleep(0.5)
        return "logged " + ("499" if '"POST /score" 499' in log.read_text() else "not 499")

    def forged_log() -> str:
        httpx.get(f"{url}/x%0a2026-01-01%2000:00:00,000%20CRITICAL%20FORGED")
        time.sleep(0.3)
        forged = any(line.startswith("2026-01-01") for line in log.read_text().splitlines())
        return "forged line in log" if forged else "escaped"

    def npy_lies() -> str:
        buffer = io.BytesIO()
        np.save(buffer, np.zeros((1, 784)))
        body = buffer.getvalue().replace(b"(1, 784)", b"(100000000000, 784)")
        answer = httpx.post(
            f"{url}/score", content=body, headers={"content-type": "application/x-npy"}
        )
        return f"{answer.status_code}, id {answer.headers.get('x-ms-request-id', 'none')[:8]}"

    def host_redirect() -> str:
        answer = httpx.post(f"{url}/score/", content=rows_body(1), headers={"Host": "evil.example"})
        return f"{answer.status_code}, location {answer.headers.get('location', 'none')}"

    yield from [
        (f"1 failing {_mb(nan)} body (one NaN)", nan_body),
        ("3 endless header (up to 100 MB)", endless_header),
        ("3 500 slow-header connections", slowloris),
        ("3 900 idle connections + 1 client", idle_crowd),
        (f"4 {_mb(rows_21k)} valid body", large_body),
        (f"4 8 x {_mb(rows_10k)} at once", eight_at_once),
        ("5 hang-up mid-body", hang_up),
        ("6 %0a in the path", forged_log),
        ("7 .npy header declaring 100 G rows", npy_lies),
        ("8 /score/ with Host: evil.example", host_redirect),
    ]


def drain(server: Server) -> str:
    body, answers = rows_body(5_000), []
    slow = threading.Thread(
        target=lambda: answers.append(httpx.post(f"{server.url}/score", content=body, timeout=60))
    )
    slow.start()
    time.sleep(0.5)  # the request is in flight
    server.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    try:
        httpx.get(f"{server.url}/", timeout=5)
        arrival = "new arrival served"
    except httpx.ConnectError:
        arrival = "new arrival refused at once"
    except httpx.TransportError as exc:
        arrival = f"new arrival {type(exc).__name__}"
    slow.join()
    in_flight = answers[0].status_code if answers else "lost"
    return f"{arrival}; the one in flight: {in_flight}; exit {server.process.wait(60)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=ROOT / "models" / "mnist")
    parser.add_argument("--port", type=int, default=5097)
    args = parser.parse_args()
    log = ROOT / ".bench" / "redteam.log"
    log.parent.mkdir(exist_ok=True)
    print(f"| case | answer | worker peak (MB, limit {MEMORY // 2**20}) | probes kept answering |")
    print("|---|---|---|---|")
    with serving("scorehost/examples/mnist/score.py", args.model_dir, args.port, log) as server:
        for name, case in cases(server, log):
            verdict, _ = probing(server.url)
            answer = case()
            print(f"| {name} | {answer} | {server.peak_mb()} | {verdict()} |", flush=True)
        print(f"| 2 SIGTERM with a request in flight | {drain(server)} | - | - |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
