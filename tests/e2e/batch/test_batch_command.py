"""`scorehost batch` on this machine: the tutorial's online score.py and Azure ML batch scripts
over PNG folders and IDX tables; failures under and over the threshold; retries; timeouts; a
killed run resumed."""

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

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


def test_the_tutorials_batch_script_scores_a_png_folder_in_order_like_predict(
    tmp_path: Path, digits_png: Path, mnist_model_dir: Path
) -> None:
    done = run_batch(
        tmp_path / "out",
        entry_script=EXAMPLES / "mnist" / "score_batch.py",
        model_dir=mnist_model_dir,
        input=digits_png,
        mini_batch_size=32,
        workers=2,
    )

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


def test_an_idx_file_and_its_rows_agree_through_the_batch_and_the_online_script(
    tmp_path: Path, digit_rows: np.ndarray, mnist_model_dir: Path
) -> None:
    pixels = (digit_rows[:300] * 255).round().astype(np.uint8)
    idx = tmp_path / "t10k-images-idx3-ubyte"
    write_idx(idx, pixels.reshape(-1, 28, 28))
    rows = tmp_path / "digits.parquet"  # what the online script's model takes: pixels / 255
    made = subprocess.run(
        [*batch_command()[:3], "data", "rows", str(idx), "--dest", str(rows)], cwd=ROOT, check=False
    )
    assert made.returncode == 0
    common: dict[str, Any] = {"model_dir": mnist_model_dir, "mini_batch_size": "50KB"}

    batch = run_batch(
        tmp_path / "batch", entry_script=EXAMPLES / "mnist" / "score_batch.py", input=idx, **common
    )
    online = run_batch(tmp_path / "online", entry_script=TUTORIAL_SCRIPT, input=rows, **common)

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
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        error_threshold="2",
        run_max_try="2",
        workers="2",
    )

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
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        error_threshold="1",
        run_max_try="1",
        workers="1",
    )

    assert done.code == 1
    assert "stopped: 2 items failed, more than --error-threshold allows" in done.stderr
    assert not (done.output / "parallel_run_step.txt").exists()  # no partial output passed off
    assert done.summary()["failed"] == 2
    assert len(done.errors()) == 2


def test_fewer_results_than_items_count_as_failures(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "short", "b"])

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="3",
    )

    assert done.code == 0
    assert done.summary()["failed"] == 1
    assert "returned 2 results for 3 items" in done.errors()[0]["error"]


def test_a_failing_mini_batch_is_retried_and_then_passes(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "b", "c"])
    (tmp_path / "flaky").mkdir()

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "flaky.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        error_threshold="0",
        env={"FLAKY_DIR": str(tmp_path / "flaky")},
    )

    assert done.code == 0, done.stderr
    assert done.rows() == ["item-000.txt", "item-001.txt", "item-002.txt"]
    assert done.summary()["retried"] == 3


def test_a_run_past_the_timeout_is_stopped_and_its_worker_started_again(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "slow", "b"])
    init_log = tmp_path / "init.log"

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        run_invocation_timeout="1",
        run_max_try="1",
        workers="1",
        env={"BATCH_INIT_LOG": str(init_log)},
    )

    assert done.code == 0, done.stderr
    assert done.rows() == ["item-000.txt: a", "item-002.txt: b"]
    assert done.errors()[0]["error"].startswith("TimeoutError")
    assert len(init_log.read_text().splitlines()) == 2  # the stopped worker's replacement


def test_a_worker_process_that_dies_fails_its_try_and_a_new_worker_goes_on(
    tmp_path: Path,
) -> None:
    write_lines(tmp_path / "in", ["a", "crash", "b"])

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        run_max_try="2",
        workers="1",
    )

    assert done.code == 0, done.stderr
    assert done.rows() == ["item-000.txt: a", "item-002.txt: b"]
    (error,) = done.errors()
    assert (error["items"], error["tries"]) == (["item-001.txt"], 2)
    assert "the worker process died during run() (exit code 3)" in error["error"]


def test_init_failing_stops_the_run_with_the_scripts_message(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a"])

    done = run_batch(tmp_path / "out", entry_script=BATCH / "init_fails.py", input=tmp_path / "in")

    assert done.code == 1
    assert "model.pkl is not in the model folder" in done.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"input": "nowhere/"}, "no such file, folder or glob match"),
        ({"input": BATCH, "mini_batch_size": "1MB"}, "only tables take"),
        ({"input": BATCH, "error_threshold": "-5"}, "--error-threshold = -5: "),
    ],
)
def test_bad_options_are_exit_2_with_what_to_fix(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    done = run_batch(tmp_path / "out", entry_script=BATCH / "file_lines.py", **options)
    assert done.code == 2
    assert message in done.stderr


def test_each_worker_calls_init_once(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", [str(n) for n in range(40)])
    init_log = tmp_path / "init.log"

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="2",
        workers="2",
        env={"BATCH_INIT_LOG": str(init_log)},
    )

    assert done.code == 0, done.stderr
    assert len(done.rows()) == 40
    assert len(init_log.read_text().splitlines()) == 2


def test_a_killed_run_resumed_skips_what_was_done_and_writes_the_same_output(
    tmp_path: Path,
) -> None:
    write_lines(tmp_path / "in", [f"line {n}" for n in range(60)])
    options: dict[str, Any] = {
        "entry_script": BATCH / "file_lines.py",
        "input": tmp_path / "in",
        "mini_batch_size": 2,
        "workers": 1,
    }
    env = {**os.environ, "BATCH_DELAY_S": "0.1"}
    progress = tmp_path / "killed" / "progress.jsonl"
    process = subprocess.Popen(
        batch_command("--output", tmp_path / "killed", **options),
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not progress.exists() or len(progress.read_text().splitlines()) < 6:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    resumed = run_batch(tmp_path / "killed", **options)
    whole = run_batch(tmp_path / "whole", **options)

    assert (resumed.code, whole.code) == (0, 0), resumed.stderr
    assert resumed.rows() == whole.rows()
    assert len(whole.rows()) == 60
    assert resumed.summary()["resumed"] >= 5
    assert resumed.summary()["succeeded"] == 60


def test_a_script_written_for_a_registered_model_folder_runs_as_azure_mounts_it(
    tmp_path: Path,
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "weight.txt").write_text("2")
    write_lines(tmp_path / "in", ["abc"])
    options: dict[str, Any] = {
        "entry_script": BATCH / "reads_model_folder.py",
        "model_dir": model,
        "input": tmp_path / "in",
    }

    as_given = run_batch(tmp_path / "as-given", **options)
    mounted = run_batch(tmp_path / "mounted", **options, model_layout="registered")

    # With the folder itself as AZUREML_MODEL_DIR (the default) a script written for Azure's
    # mount fails in init(); asked to lay it out as a batch endpoint does, it runs as it will.
    assert as_given.code == 1 and "model/model/weight.txt" in as_given.stderr
    assert mounted.code == 0, mounted.stderr
    assert mounted.rows() == ["item-000.txt 8.0"]
