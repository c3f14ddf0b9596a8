"""Batch scripts written the way Microsoft's batch examples write them run unmodified, and a
rerun never serves stale results. Each script in tests/fixtures/scripts/batch/ names the example
whose shape it follows; the models and data are the user's (iris, tables, files), not MNIST."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from tests.e2e.batch.conftest import batch_command, run_batch, write_lines
from tests.paths import ROOT, SCRIPTS

BATCH = SCRIPTS / "batch"


@pytest.fixture
def iris(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """A model trained on iris, and the table it scores."""
    data = load_iris(as_frame=True).data
    model = tmp_path / "models" / "iris.joblib"
    model.parent.mkdir()
    joblib.dump(DecisionTreeClassifier(max_depth=3).fit(data, load_iris().target), model)
    return model, data


# -- a rerun never serves stale results ---------------------------------------------------------


def test_a_rerun_after_the_script_the_model_or_the_input_changed_is_refused(
    tmp_path: Path, iris: tuple[Path, pd.DataFrame]
) -> None:
    model, data = iris
    table = tmp_path / "iris.csv"
    data.to_csv(table, index=False)
    script = tmp_path / "iris_prediction.py"
    script.write_text((BATCH / "iris_prediction.py").read_text())
    options: dict[str, Any] = {"entry_script": script, "input": table, "workers": "1"}
    args = ("--model", model)
    assert run_batch(tmp_path / "out", **options, script_args=args).code == 0

    script.write_text(script.read_text() + "\n# fixed a bug\n")
    refused = run_batch(tmp_path / "out", **options, script_args=args)
    data.iloc[:10].to_csv(table, index=False)
    also_input = run_batch(tmp_path / "out", **options, script_args=args)

    assert refused.code == 2
    assert "script changed since" in refused.stderr
    assert "--restart" in refused.stderr
    assert "script, input changed since" in also_input.stderr
    again = run_batch(tmp_path / "out", "--restart", **options, script_args=args)
    assert again.code == 0, again.stderr
    assert len(again.rows()) == 10  # the new input's rows, none of the old run's


def test_a_retrained_model_in_the_same_folder_is_a_change_too(
    tmp_path: Path, iris: tuple[Path, pd.DataFrame]
) -> None:
    model, data = iris
    write_lines(tmp_path / "in", ["a"])
    options: dict[str, Any] = {
        "entry_script": BATCH / "no_init_with_shutdown.py",
        "input": tmp_path / "in",
        "model_dir": model.parent,
    }
    env = {"SHUTDOWN_LOG": str(tmp_path / "shutdown.log")}
    assert run_batch(tmp_path / "out", env=env, **options).code == 0
    assert run_batch(tmp_path / "out", env=env, **options).summary()["resumed"] == 1

    joblib.dump(DecisionTreeClassifier(max_depth=1).fit(data, load_iris().target), model)

    changed = run_batch(tmp_path / "out", env=env, **options)
    assert changed.code == 2
    assert "model changed since" in changed.stderr


def test_a_rerun_of_a_finished_run_leaves_its_rows_as_they_are(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "b", "c", "d"])
    options: dict[str, Any] = {
        "entry_script": BATCH / "file_lines.py",
        "input": tmp_path / "in",
        "mini_batch_size": "1",
    }
    first = run_batch(tmp_path / "out", **options)
    rows = first.rows()

    again = run_batch(tmp_path / "out", **options)

    assert again.code == 0, again.stderr
    assert again.rows() == rows == [f"item-00{n}.txt: {c}" for n, c in enumerate("abcd")]
    assert again.summary()["resumed"] == 4


# -- arguments, EntryScript, AZUREML_BI_OUTPUT_PATH ---------------------------------------------


def test_the_scripts_own_arguments_come_after_the_double_dash_and_scorehosts_never_reach_it(
    tmp_path: Path, iris: tuple[Path, pd.DataFrame]
) -> None:
    model, data = iris
    data.to_csv(tmp_path / "iris.csv", index=False)
    options: dict[str, Any] = {
        "entry_script": BATCH / "iris_prediction.py",
        "input": tmp_path / "iris.csv",
    }

    done = run_batch(tmp_path / "out", **options, script_args=("--model", model))
    without = run_batch(tmp_path / "out2", "--model", model, **options)

    assert done.code == 0, done.stderr
    rows = done.rows()
    assert len(rows) == 150
    predicted = joblib.load(model).predict(data)
    assert [row.split()[4] for row in rows] == [str(p) for p in predicted]
    # scorehost's own --output never reached the script's --output_folder by prefix
    assert {row.split(" ", 5)[5] for row in rows} == {'"(not given)"'}
    assert without.code == 2  # before --, it is scorehost's flag (or none of them)
    assert "--model" in without.stderr


def test_entry_script_logger_and_log_dir_work_as_the_troubleshooting_guide_shows(
    tmp_path: Path,
) -> None:
    write_lines(tmp_path / "in", ["a", "b", "c"])

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "entry_script_logger.py",
        input=tmp_path / "in",
        workers="1",
    )

    assert done.code == 0, done.stderr
    log_dir = tmp_path / "out" / "logs" / "user" / "entry_script_log" / "0"
    log = (log_dir / "process001.log.txt").read_text()
    assert "This will show up in files under logs/user." in log
    assert "entry_script_logger.py: 3 files." in log
    assert (log_dir / "process001_notes.txt").read_text() == "init ran\n"
    assert done.rows() == ["item-000.txt", "item-001.txt", "item-002.txt"]


def test_summary_only_with_outputs_of_its_own_in_azureml_bi_output_path(
    tmp_path: Path, iris: tuple[Path, pd.DataFrame]
) -> None:
    model, data = iris
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        data.iloc[n * 10 : n * 10 + 10].to_csv(folder / f"part-{n}.csv", index=False)

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "custom_outputs.py",
        input=folder,
        model_dir=model.parent,
        output_action="summary_only",
    )

    assert done.code == 0, done.stderr
    assert done.summary()["succeeded"] == 3
    written = pd.read_parquet(tmp_path / "out" / "part-1.parquet")
    assert list(written["prediction"]) == list(joblib.load(model).predict(data.iloc[10:20]))
    assert not (tmp_path / "out" / "parallel_run_step.txt").exists()


# -- output as Azure writes it ------------------------------------------------------------------


def test_list_elements_are_written_with_str_as_append_row_writes_them(tmp_path: Path) -> None:
    kinds = ["tuple", "dict", "none", "bool", "array", "float", "text"]
    write_lines(tmp_path / "in", kinds)

    done = run_batch(
        tmp_path / "out", entry_script=BATCH / "returns_values.py", input=tmp_path / "in"
    )

    assert done.code == 0, done.stderr
    text = (tmp_path / "out" / "parallel_run_step.txt").read_text()
    assert text == (
        "('a', 1)\n{'label': 7, 'p': 0.5}\nNone\nTrue\n[1 2 3]\n0.1\nline one\nline two\n"
    )
    assert done.summary()["succeeded"] == 7  # seven results, though eight lines


def test_cells_with_line_breaks_of_every_kind_never_split_a_result(tmp_path: Path) -> None:
    table = tmp_path / "notes.parquet"  # Parquet keeps a lone \r in a cell (to_csv would not)
    notes = ["form\x0cfeed", "line\u2028separator", "next\x85line", "carriage\rreturn", "plain"]
    pd.DataFrame({"x": range(5), "note": notes}).to_parquet(table)

    done = run_batch(tmp_path / "out", entry_script=BATCH / "echo_rows.py", input=table)

    assert done.code == 0, done.stderr
    summary = done.summary()
    assert (summary["succeeded"], summary["failed"]) == (5, 0)
    written = (tmp_path / "out" / "parallel_run_step.txt").read_bytes().decode()
    expected = pd.read_parquet(table).to_csv(sep=" ", header=False, index=False)
    assert written == expected


def test_an_items_name_cannot_forge_a_row_of_an_online_scripts_output(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    grey = np.zeros((2, 2))
    np.save(folder / "b\n0 [9]\nc.npy", grey)
    np.save(folder / "plain.npy", grey + 1)

    done = run_batch(tmp_path / "out", entry_script=BATCH / "online_row_stats.py", input=folder)

    assert done.code == 0, done.stderr
    text = (tmp_path / "out" / "parallel_run_step.txt").read_text()
    assert text == '"b\n0 [9]\nc.npy" 0.0\nplain.npy 1.0\n'


@pytest.mark.parametrize("name", ["errors.jsonl", "summary.json", "progress.jsonl", "logs"])
def test_the_rows_file_cannot_take_the_name_of_a_file_the_run_writes(
    tmp_path: Path, name: str
) -> None:
    write_lines(tmp_path / "in", ["a"])
    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        append_row_file_name=name,
    )
    assert done.code == 2
    assert "a file the run writes itself" in done.stderr


# -- logs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "debug_shown"), [("info", False), ("debug", True)])
def test_the_scripts_prints_and_logging_go_to_its_process_files_at_the_logging_level(
    tmp_path: Path, level: str, debug_shown: bool
) -> None:
    write_lines(tmp_path / "in", ["a", "b"])

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "logs_everything.py",
        input=tmp_path / "in",
        workers="1",
        logging_level=level,
    )

    assert done.code == 0, done.stderr
    logs = tmp_path / "out" / "logs"
    stdout = (logs / "user" / "stdout" / "0" / "process001.stdout.txt").read_text()
    stderr = (logs / "user" / "stderr" / "0" / "process001.stderr.txt").read_text()
    assert "print from init" in stdout
    assert "INFO|my_scorer|info from init" in stdout
    assert "WARNING|my_scorer|warning from run" in stdout
    assert ("debug from init" in stdout) is debug_shown
    assert "stderr from init" in stderr
    assert "print from init" not in done.stdout  # the command's own output stays its own
    assert (logs / "job_result.txt").read_text().startswith("Completed")
    report = (logs / "sys" / "job_report" / "processed_mini-batches.csv").read_text()
    assert report.splitlines()[1].startswith("0,succeeded,2,2,1,process001,")


# -- the rest of the contract -------------------------------------------------------------------


def test_a_script_without_init_runs_and_each_workers_shutdown_is_called(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", [str(n) for n in range(6)])
    shutdown_log = tmp_path / "shutdown.log"

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "no_init_with_shutdown.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        workers="2",
        env={"SHUTDOWN_LOG": str(shutdown_log)},
    )

    assert done.code == 0, done.stderr
    assert len(done.rows()) == 6
    report = tmp_path / "out" / "logs" / "sys" / "job_report" / "processed_mini-batches.csv"
    ran = {line.split(",")[5] for line in report.read_text().splitlines()[1:]}
    calls = shutdown_log.read_text().split()
    assert len(calls) == len(set(calls)) == len(ran) >= 1  # once per worker process that ran


def test_partition_keys_make_one_mini_batch_per_key_with_its_value_in_the_context(
    tmp_path: Path,
) -> None:
    sales = pd.DataFrame(
        {"store": [2, 1, 2, 1, 3], "brand": ["a", "b", "a", "a", "b"], "qty": [5, 1, 2, 3, 4]}
    )
    sales.to_csv(tmp_path / "sales.csv", index=False)

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "partitioned.py",
        input=tmp_path / "sales.csv",
        partition_keys="store",
        script_args=("--target_col", "qty"),
    )

    assert done.code == 0, done.stderr
    assert done.summary()["mini_batches"] == 3
    assert done.rows() == ["2 2 7", "2 2 7", "1 2 4", "1 2 4", "3 1 4"]


def test_a_folder_of_tables_is_one_tabular_input_cut_within_each_file(
    tmp_path: Path, iris: tuple[Path, pd.DataFrame]
) -> None:
    model, data = iris
    folder = tmp_path / "in"
    folder.mkdir()
    data.iloc[:100].to_csv(folder / "a.csv", index=False)
    data.iloc[100:].to_parquet(folder / "b.parquet")

    done = run_batch(
        tmp_path / "out",
        "--tabular",
        entry_script=BATCH / "iris_prediction.py",
        input=folder,
        mini_batch_size="2KB",
        script_args=("--model", model),
    )

    assert done.code == 0, done.stderr
    assert len(done.rows()) == 150
    lines = (tmp_path / "out" / "progress.jsonl").read_text().splitlines()
    batches = [json.loads(line) for line in lines[1:]]
    files = [{item.split(":")[0] for item in b["items"]} for b in batches]
    assert all(len(names) == 1 for names in files)  # no mini-batch crosses a file


def test_v2_names_and_defaults_of_a_batch_deployment(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "b"])

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        defaults="batch_deployment",
        max_retries="0",
    )

    assert done.code == 0, done.stderr
    assert done.rows("predictions.csv") == ["item-000.txt: a", "item-001.txt: b"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mini_batch_error_threshold": "1"}, "2 mini-batches failed, more than"),
        ({"allowed_failed_percent": "30"}, "of 5 mini-batches failed, more than"),
    ],
)
def test_mini_batch_thresholds_stop_the_run(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    write_lines(tmp_path / "in", ["a", "fail", "b", "fail", "c"])

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        run_max_try="1",
        workers="1",
        **options,
    )

    assert done.code == 1
    assert message in done.stderr


# -- smaller things -----------------------------------------------------------------------------


def test_errors_say_the_exception_once_and_retried_counts_items_once(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a", "fail"])

    done = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        run_max_try="3",
    )

    (error,) = done.errors()
    assert error["error"] == "ItemsFailed: ValueError: cannot score ['fail']"
    assert "Traceback" in error["traceback"]
    assert done.summary()["retried"] == 1  # one item, though tried three times


def test_an_init_failure_leaves_a_summary_that_says_so(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", ["a"])
    done = run_batch(tmp_path / "out", entry_script=BATCH / "init_fails.py", input=tmp_path / "in")
    assert done.code == 1
    assert done.summary()["stopped"].startswith("init() failed")
    assert "Failed: init() failed" in (tmp_path / "out" / "logs" / "job_result.txt").read_text()


def test_ctrl_c_records_what_finished_says_how_to_go_on_and_a_rerun_does(tmp_path: Path) -> None:
    write_lines(tmp_path / "in", [str(n) for n in range(8)])
    command = batch_command(
        "--output",
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        workers="1",
    )
    started = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "BATCH_DELAY_S": "0.5"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    progress = tmp_path / "out" / "progress.jsonl"
    deadline = time.monotonic() + 60
    while (not progress.exists() or len(progress.read_text().splitlines()) < 3) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.1)
    os.killpg(started.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, stderr = started.communicate(timeout=60)

    assert started.returncode == 130
    assert "Traceback" not in stderr
    assert "run the same command again to go on from there" in stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["stopped"] == "interrupted"
    resumed = run_batch(
        tmp_path / "out",
        entry_script=BATCH / "file_lines.py",
        input=tmp_path / "in",
        mini_batch_size="1",
        workers="1",
    )
    assert resumed.code == 0, resumed.stderr
    assert len(resumed.rows()) == 8
    assert resumed.summary()["resumed"] >= 2
    assert resumed.summary()["items_per_s"] > 0
