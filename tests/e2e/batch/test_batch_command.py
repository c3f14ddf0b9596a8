"""`scorehost batch` on this machine: the tutorial's online score.py and Azure ML batch scripts
over PNG folders and IDX tables; failures under and over the threshold; retries; timeouts; a
killed run resumed."""

import os
import signal
import subprocess
import time
from pathlib import Path

import joblib
import numpy as np
import pytest
from PIL import Image

from scorehost.tutorial.idx import write_idx
from scorehost.tutorial.train import MODEL_FILE
from tests.e2e.batch.conftest import batch_command, run_batch, write_lines
from tests.paths import EXAMPLES, ROOT, SCRIPTS, TUTORIAL_SCRIPT

pytestmark = pytest.mark.e2e
BATCH = SCRIPTS / "batch"


def _predict(model_dir: Path, pixels: np.ndarray) -> list[int]:
    labels: list[int] = joblib.load(model_dir / MODEL_FILE).predict(pixels / 255.0).tolist()
    return labels


def test_the_tutorials_online_script_scores_a_png_folder_in_order_like_predict(
    tmp_path: Path, digits_png: Path, mnist_model_dir: Path
) -> None:
    done = run_batch(
        tmp_path / "out",
        "--entry-script", TUTORIAL_SCRIPT, "--model-dir", mnist_model_dir,
        "--input", digits_png, "--divide-by", "255", "--mini-batch-size", "32", "--workers", "2",
    )  # fmt: skip

    assert done.code == 0, done.stderr
    pngs = sorted(digits_png.iterdir())
    pixels = np.stack([np.asarray(Image.open(p)).ravel() for p in pngs])
    expected = [
        f"{p.name} {label}"
        for p, label in zip(pngs, _predict(mnist_model_dir, pixels), strict=True)
    ]
    assert done.rows() == expected
    summary = done.summary()
    assert (summary["items"], summary["succeeded"], summary["failed"]) == (200, 200, 0)
    assert summary["mini_batches"] == 7
    assert "200 of 200 items succeeded" in done.stdout


def test_an_idx_file_through_the_batch_example_and_the_online_script_agree(
    tmp_path: Path, digit_rows: np.ndarray, mnist_model_dir: Path
) -> None:
    pixels = (digit_rows[:300] * 255).round().astype(np.uint8)
    idx = tmp_path / "t10k-images-idx3-ubyte"
    write_idx(idx, pixels.reshape(-1, 28, 28))
    common = ("--model-dir", mnist_model_dir, "--input", idx, "--mini-batch-size", "50KB")

    batch = run_batch(
        tmp_path / "batch", "--entry-script", EXAMPLES / "mnist" / "score_batch.py", *common
    )
    online = run_batch(
        tmp_path / "online", "--entry-script", TUTORIAL_SCRIPT, "--divide-by", "255", *common
    )

    assert (batch.code, online.code) == (0, 0), batch.stderr + online.stderr
    expected = _predict(mnist_model_dir, pixels.astype(np.float64))
    assert batch.rows() == [str(label) for label in expected]
    assert online.rows() == [f"{n} {label}" for n, label in enumerate(expected)]
    assert batch.summary()["mini_batches"] == 300 // (50 * 1024 // 784) + 1


def test_failed_items_under_the_threshold_are_listed_and_the_rest_written(
    tmp_path: Path,
) -> None:
    write_lines(tmp_path / "in", ["a", "fail", "b", "c", "fail", "d"])

    done = run_batch(
        tmp_path / "out",
        "--entry-script", BATCH / "file_lines.py", "--input", tmp_path / "in",
        "--mini-batch-size", "1", "--error-threshold", "2", "--run-max-try", "2", "--workers", "2",
    )  # fmt: skip

    assert done.code == 0, done.stderr
    assert done.rows() == [
        f"item-00{n}.txt: {line}" for n, line in [(0, "a"), (2, "b"), (3, "c"), (5, "d")]
    ]
    errors = done.errors()
    assert [e["items"] for e in errors] == [["item-001.txt"], ["item-004.txt"]]
    assert errors[0]["tries"] == 2
    assert "ValueError: cannot score ['fail']" in errors[0]["error"]
    assert "Traceback" in errors[0]["traceback"]
    summary = done.summary()
    assert (summary["succeeded"], summary["failed"], summary["retried"]) == (4, 2, 2)
    assert "errors.jsonl" in done.stderr


def test_one_failed_item_over_the_threshold_stops_the_run_with_exit_1(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "fail", "b", "fail", "c"])

    done = run_batch(
        tmp_path / "out",
        "--entry-script", BATCH / "file_lines.py", "--input", tmp_path / "in",
        "--mini-batch-size", "1", "--error-threshold", "1", "--run-max-try", "1", "--workers", "1",
    )  # fmt: skip

    assert done.code == 1
    assert "stopped: more items failed than --error-threshold allows" in done.stderr
    assert not (done.output / "parallel_run_step.txt").exists()  # no partial output passed off
    assert done.summary()["failed"] == 2
    assert len(done.errors()) == 2


def test_fewer_results_than_items_count_as_failures(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "short", "b"])

    done = run_batch(
        tmp_path / "out", "--entry-script", BATCH / "file_lines.py", "--input", tmp_path / "in",
        "--mini-batch-size", "3",
    )  # fmt: skip

    assert done.code == 0
    assert done.summary()["failed"] == 1
    assert "returned 2 results for 3 items" in done.errors()[0]["error"]


def test_a_failing_mini_batch_is_retried_and_then_passes(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "b", "c"])
    (tmp_path / "flaky").mkdir()

    done = run_batch(
        tmp_path / "out", "--entry-script", BATCH / "flaky.py", "--input", tmp_path / "in",
        "--mini-batch-size", "1", "--error-threshold", "0",
        env={"FLAKY_DIR": str(tmp_path / "flaky")},
    )  # fmt: skip

    assert done.code == 0, done.stderr
    assert done.rows() == ["item-000.txt", "item-001.txt", "item-002.txt"]
    assert done.summary()["retried"] == 3


def test_a_run_past_the_timeout_is_stopped_and_its_worker_started_again(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "slow", "b"])
    init_log = tmp_path / "init.log"

    done = run_batch(
        tmp_path / "out", "--entry-script", BATCH / "file_lines.py", "--input", tmp_path / "in",
        "--mini-batch-size", "1", "--run-invocation-timeout", "1", "--run-max-try", "1",
        "--workers", "1",
        env={"BATCH_INIT_LOG": str(init_log)},
    )  # fmt: skip

    assert done.code == 0, done.stderr
    assert done.rows() == ["item-000.txt: a", "item-002.txt: b"]
    assert done.errors()[0]["error"].startswith("TimeoutError")
    assert len(init_log.read_text().splitlines()) == 2  # the stopped worker's replacement


def test_a_worker_process_that_dies_fails_its_try_and_a_new_worker_goes_on(
    tmp_path: Path,
) -> None:
    write_lines(tmp_path / "in", ["a", "crash", "b"])

    done = run_batch(
        tmp_path / "out", "--entry-script", BATCH / "file_lines.py", "--input", tmp_path / "in",
        "--mini-batch-size", "1", "--run-max-try", "2", "--workers", "1",
    )  # fmt: skip

    assert done.code == 0, done.stderr
    assert done.rows() == ["item-000.txt: a", "item-002.txt: b"]
    (error,) = done.errors()
    assert (error["items"], error["tries"]) == (["item-001.txt"], 2)
    assert "the worker process died during run() (exit code 3)" in error["error"]


def test_init_failing_stops_the_run_with_the_scripts_message(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a"])

    done = run_batch(
        tmp_path / "out", "--entry-script", BATCH / "init_fails.py", "--input", tmp_path / "in"
    )

    assert done.code == 1
    assert "model.pkl is not in the model folder" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--input", "nowhere/"), "no such file, folder or glob match"),
        (("--input", BATCH, "--mini-batch-size", "1MB"), "only tables take"),
        (("--input", BATCH, "--error-threshold", "-5"), "--error-threshold -5"),
    ],
)
def test_bad_options_are_exit_2_with_what_to_fix(
    tmp_path: Path, args: tuple[str | Path, ...], message: str
) -> None:
    done = run_batch(tmp_path / "out", "--entry-script", BATCH / "file_lines.py", *args)
    assert done.code == 2
    assert message in done.stderr


def test_each_worker_calls_init_once(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", [str(n) for n in range(40)])
    init_log = tmp_path / "init.log"

    done = run_batch(
        tmp_path / "out", "--entry-script", BATCH / "file_lines.py", "--input", tmp_path / "in",
        "--mini-batch-size", "2", "--workers", "2", env={"BATCH_INIT_LOG": str(init_log)},
    )  # fmt: skip

    assert done.code == 0, done.stderr
    assert len(done.rows()) == 40
    assert len(init_log.read_text().splitlines()) == 2


def test_a_killed_run_resumed_skips_what_was_done_and_writes_the_same_output(
    tmp_path: Path,
) -> None:
    write_lines(tmp_path / "in", [f"line {n}" for n in range(60)])
    args = ("--entry-script", BATCH / "file_lines.py", "--input", tmp_path / "in",
            "--mini-batch-size", "2", "--workers", "1")  # fmt: skip
    env = {**os.environ, "BATCH_DELAY_S": "0.1"}
    progress = tmp_path / "killed" / "progress.jsonl"
    process = subprocess.Popen(
        batch_command("--output", tmp_path / "killed", *args), cwd=ROOT, env=env,
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not progress.exists() or len(progress.read_text().splitlines()) < 6:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    resumed = run_batch(tmp_path / "killed", *args)
    whole = run_batch(tmp_path / "whole", *args)

    assert (resumed.code, whole.code) == (0, 0), resumed.stderr
    assert resumed.rows() == whole.rows()
    assert len(whole.rows()) == 60
    assert resumed.summary()["resumed"] >= 5
    assert resumed.summary()["succeeded"] == 60
