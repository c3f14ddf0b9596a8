"""The run's logs/ folder, laid out as Microsoft's "Troubleshooting the ParallelRunStep" describes
Azure ML's, with node id 0 for this machine's processes and the worker's name on Dask:

    logs/job_result.txt                     how the run ended, and where to look if it failed
    logs/job_progress_overview.txt          mini-batches created, processed, and the result
    logs/job_error.txt                      the script's errors, one per failed mini-batch
    logs/sys/job_report/processed_mini-batches.csv   each mini-batch: result, process, time
    logs/user/entry_script_log/<node>/processNNN.log.txt   EntryScript().logger
    logs/user/stdout/<node>/processNNN.stdout.txt          print() and the root logger
    logs/user/stderr/<node>/processNNN.stderr.txt          the script's stderr

The script's logging goes to its process's stdout file at --logging-level (INFO by default),
as Azure ML's handler on the root logger does; the command's own output stays its own."""

import csv
import io
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from scorehost.app.aml_api import parallel_run
from scorehost.batch.output import write_text
from scorehost.batch.progress import Finished

LOGS_NAME = "logs"
_FORMAT = "%(asctime)s|%(levelname)s|%(name)s|%(message)s"


@dataclass(frozen=True)
class LogSetup:
    """Where and how a worker process logs (picklable: sent to every worker)."""

    folder: Path  # the run's logs/ folder, absolute
    level: str  # debug, info, warning, error, critical


def agent_name(number: int) -> str:
    return f"process{number:03d}"


def node_name(text: str) -> str:
    """A Dask worker's name as a folder name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "0"


def start_process(setup: LogSetup, node_id: str, agent: str, *, own_process: bool) -> None:
    """In a worker process: EntryScript's variables and, when the process is the run's own
    (`own_process`), its stdout and stderr (file descriptors 1 and 2, so a library's native
    output too) into its files and the root logger to the stdout file at the run's level. A
    Dask worker is a process others share: its streams and logging stay its own."""
    os.environ.update(
        {
            parallel_run.LOG_ROOT_ENV: str(setup.folder),
            parallel_run.NODE_ENV: node_id,
            parallel_run.AGENT_ENV: agent,
            parallel_run.LEVEL_ENV: setup.level.upper(),
        }
    )
    if not own_process:
        return
    stdout = setup.folder / "user" / "stdout" / node_id / f"{agent}.stdout.txt"
    stderr = setup.folder / "user" / "stderr" / node_id / f"{agent}.stderr.txt"
    for path in (stdout, stderr):
        path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, path in ((1, stdout), (2, stderr)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.stderr.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    root = logging.getLogger()
    handler = logging.FileHandler(stdout, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.setLevel(setup.level.upper())
    root.addHandler(handler)
    root.setLevel(setup.level.upper())


def write_job_logs(
    folder: Path, finished: dict[int, Finished], mini_batches: int, stopped: str | None
) -> None:
    """The job's own files, at its end."""
    folder.mkdir(parents=True, exist_ok=True)
    failed = [finished[i] for i in sorted(finished) if finished[i].failed]
    result = (
        f"Failed: {stopped}. See logs/job_error.txt and errors.jsonl for the script's errors."
        if stopped
        else "Completed: every mini-batch ran"
        + (f"; {len(failed)} failed within the thresholds (logs/job_error.txt)" if failed else ".")
    )
    write_text(folder / "job_result.txt", result + "\n")
    write_text(
        folder / "job_progress_overview.txt",
        f"{mini_batches} mini-batches created; {len(finished)} processed; "
        f"{len(failed)} failed.\n{result}\n",
    )
    write_text(
        folder / "job_error.txt",
        "".join(
            f"mini-batch {f.index} ({f.agent or 'no process'}, {f.tries} tries): {f.error}\n"
            for f in failed
        ),
    )
    report = io.StringIO()
    writer = csv.writer(report, lineterminator="\n")
    writer.writerow(
        ["mini_batch", "result", "items", "succeeded", "tries", "process", "seconds", "error"]
    )
    for index in sorted(finished):
        f = finished[index]
        writer.writerow(
            [
                index,
                "failed" if f.failed else "succeeded",
                len(f.items),
                f.succeeded,
                f.tries,
                f.agent or "",
                "" if f.seconds is None else f"{f.seconds:.3f}",
                f.error or "",
            ]
        )
    job_report = folder / "sys" / "job_report"
    job_report.mkdir(parents=True, exist_ok=True)
    write_text(job_report / "processed_mini-batches.csv", report.getvalue())
