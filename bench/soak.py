"""`make soak`: a bounded load run mixing good and bad requests against a real server.

Reports errors on good requests (must be 0), any 5xx, latency percentiles and the workers'
memory growth between the end of warm-up and the end of the run (must stay under 10%).
Loopback only; stops by itself after --duration seconds.
"""

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ROW = [0.5] * 784


@dataclass
class Tally:
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    good_latency_ms: list[float] = field(default_factory=list)
    unexpected: Counter[str] = field(default_factory=Counter)


MIX = [  # (kind, weight, body, expected status)
    ("good: one row", 80, json.dumps({"data": [ROW]}).encode(), 200),
    ("good: ten rows", 5, json.dumps({"data": [ROW] * 10}).encode(), 200),
    ("bad: malformed JSON", 5, b'{"data": [[0.5,', 400),
    ("bad: wrong width", 5, json.dumps({"data": [ROW[:100]]}).encode(), 422),
    ("bad: strings", 5, json.dumps({"data": [["x"] * 784]}).encode(), 422),
]


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def worker_pids(server_pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(server_pid)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


async def client(url: str, stop_at: float, tally: Tally, rng: random.Random) -> None:
    kinds = list(MIX)
    weights = [entry[1] for entry in MIX]
    async with httpx.AsyncClient(timeout=30) as http:
        while time.monotonic() < stop_at:
            kind, _, body, expected = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                response = await http.post(url, content=body)
                status = response.status_code
            except httpx.HTTPError as exc:
                tally.unexpected[f"{kind}: {type(exc).__name__}"] += 1
                continue
            tally.statuses[(kind, status)] += 1
            if status != expected:
                tally.unexpected[f"{kind}: {status}"] += 1
            elif expected == 200:
                tally.good_latency_ms.append((time.perf_counter() - started) * 1000)


async def load(url: str, connections: int, seconds: float, tally: Tally) -> None:
    stop_at = time.monotonic() + seconds
    rng = random.Random(7)
    await asyncio.gather(
        *(client(url, stop_at, tally, random.Random(rng.random())) for _ in range(connections))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--warmup", type=float, default=20, help="seconds before memory baseline")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--model-dir", type=Path, default=ROOT / "models" / "mnist")
    args = parser.parse_args()

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scorehost",
            "serve",
            "--entry-script",
            "scorehost/examples/mnist/score.py",
            "--model-dir",
            str(args.model_dir),
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health/ready").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        asyncio.run(load(f"{base}/score", args.connections, args.warmup, Tally()))
        pids = worker_pids(server.pid)
        rss_start = rss_mb(pids)
        tally = Tally()
        started = time.monotonic()
        asyncio.run(load(f"{base}/score", args.connections, args.duration, tally))
        elapsed = time.monotonic() - started
        rss_end = rss_mb(pids)
    finally:
        server.terminate()
        server.wait(30)
    latencies = np.array(tally.good_latency_ms)
    total = sum(tally.statuses.values())
    report = {
        "duration_s": round(elapsed, 1),
        "connections": args.connections,
        "workers": args.workers,
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "by_kind_and_status": {f"{k} -> {s}": n for (k, s), n in sorted(tally.statuses.items())},
        "unexpected": dict(tally.unexpected),
        "server_errors_5xx": sum(n for (_, s), n in tally.statuses.items() if s >= 500),
        "good_p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "good_p99_ms": round(float(np.percentile(latencies, 99)), 1),
        "worker_rss_mb_start": round(rss_start, 1),
        "worker_rss_mb_end": round(rss_end, 1),
        "rss_growth_percent": round((rss_end - rss_start) / rss_start * 100, 2),
    }
    print(json.dumps(report, indent=2))
    ok = not tally.unexpected and report["rss_growth_percent"] < 10
    print("soak: PASS" if ok else "soak: FAIL", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
