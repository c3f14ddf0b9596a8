"""`scorehost batch --dask`: the same mini-batches on a real Dask scheduler with two worker
processes, started here as a user starts them (`dask scheduler`, `dask worker`)."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.batch.conftest import run_batch, write_lines
from tests.paths import EXAMPLES, ROOT, SCRIPTS
from tests.servers import free_port

pytestmark = pytest.mark.e2e
BATCH = SCRIPTS / "batch"
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    commands = [
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        [DASK, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
    ]
    processes = []
    for n, command in enumerate(commands):
        with (logs / f"{n}.log").open("wb") as log:  # the child keeps its own copy of the fd
            processes.append(
                subprocess.Popen(
                    [str(part) for part in command],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )
            )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except OSError:
                assert time.monotonic() < deadline, (logs / "0.log").read_text()
                time.sleep(0.2)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(30)


def test_the_tutorials_batch_script_on_dask_writes_what_local_processes_write(
    tmp_path: Path, scheduler: str, digits_png: Path, mnist_model_dir: Path
) -> None:
    common: dict[str, Any] = {
        "entry_script": EXAMPLES / "mnist" / "score_batch.py",
        "model_dir": mnist_model_dir,
        "input": digits_png,
        "mini_batch_size": 16,
    }

    on_dask = run_batch(tmp_path / "dask", dask=scheduler, **common)
    local = run_batch(tmp_path / "local", workers=2, **common)

    assert (on_dask.code, local.code) == (0, 0), on_dask.stderr
    assert on_dask.rows() == local.rows()
    assert len(on_dask.rows()) == 200


def test_each_dask_worker_calls_init_once(tmp_path: Path, scheduler: str) -> None:
    write_lines(tmp_path / "in", [str(n) for n in range(30)])
    init_log = tmp_path / "init.log"
    # the workers started without BATCH_INIT_LOG: this copy of the script names the log itself
    script = tmp_path / "script"
    script.mkdir()
    text = (BATCH / "file_lines.py").read_text()
    (script / "file_lines.py").write_text(
        text.replace('os.environ.get("BATCH_INIT_LOG")', repr(str(init_log)))
    )

    done = run_batch(
        tmp_path / "out",
        entry_script=script / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="3",
        dask=scheduler,
    )

    assert done.code == 0, done.stderr
    assert len(done.rows()) == 30
    assert len(set(init_log.read_text().splitlines())) == 2


def test_failures_retries_and_the_threshold_work_the_same_on_dask(
    tmp_path: Path, scheduler: str
) -> None:
    write_lines(tmp_path / "in", ["a", "fail", "b", "fail"])

    under = run_batch(
        tmp_path / "under",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        error_threshold="2",
        run_max_try="2",
        dask=scheduler,
    )
    over = run_batch(
        tmp_path / "over",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        error_threshold="1",
        dask=scheduler,
    )

    assert under.code == 0, under.stderr
    assert under.rows() == ["item-000.txt: a", "item-002.txt: b"]
    assert (under.summary()["failed"], under.summary()["retried"]) == (2, 2)
    assert "ValueError: cannot score ['fail']" in under.errors()[0]["error"]
    assert over.code == 1
    assert "error-threshold" in over.stderr


def test_an_unreachable_scheduler_is_exit_2(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a"])
    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        dask=f"tcp://127.0.0.1:{free_port()}",
        run_invocation_timeout="5",
    )
    assert done.code == 2
    assert "cannot reach the scheduler" in done.stderr


def test_a_run_past_the_timeout_fails_its_try_on_dask(tmp_path: Path, scheduler: str) -> None:
    # last in this module: the slow call keeps its worker's only thread for 30 s
    write_lines(tmp_path / "in", ["a", "slow", "b"])

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        run_invocation_timeout="1",
        run_max_try="1",
        dask=scheduler,
    )

    assert done.code == 0, done.stderr
    assert done.rows() == ["item-000.txt: a", "item-002.txt: b"]
    assert done.errors()[0]["items"] == ["item-001.txt"]
    assert done.errors()[0]["error"].startswith("TimeoutError")


def test_a_relative_input_is_found_by_workers_started_elsewhere(
    tmp_path: Path, scheduler: str
) -> None:
    # the workers' own folder is not the command's: relative paths are resolved before sending
    write_lines(tmp_path / "in", ["a", "b", "c"])

    done = run_batch(
        Path("out"),
        cwd=tmp_path,
        dask=scheduler,
        entry_script=BATCH / "file_lines.py",
        input="in",
    )

    assert done.code == 0, done.stderr
    assert (tmp_path / "out" / "parallel_run_step.txt").read_text().splitlines() == [
        "item-000.txt: a",
        "item-001.txt: b",
        "item-002.txt: c",
    ]
