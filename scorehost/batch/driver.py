"""A batch run from start to end: cut the input, skip what an earlier run of the same script,
model, input and options finished, keep every worker busy, retry failing mini-batches, stop past
a threshold, stream the rows to disk and write the output and the logs."""

import concurrent.futures as cf
import hashlib
import shutil
import time
import traceback
from collections import deque
from pathlib import Path
from typing import Any

from scorehost.batch import fingerprint, logs, output
from scorehost.batch.errors import BatchFailed, BatchInterrupted
from scorehost.batch.inputs import Input, MiniBatch, is_table, read_input
from scorehost.batch.options import RESERVED_NAMES, BatchOptions
from scorehost.batch.pools import DaskPool, LocalPool, Pool
from scorehost.batch.progress import PROGRESS_NAME, Finished, Progress
from scorehost.batch.scorer import Outcome, WorkerSpec
from scorehost.batch.worker import InitFailed

_RESULT_OPTIONS = (
    "contract",
    "mini_batch_size",
    "model_layout",
    "output_action",
    "partition_keys",
    "tabular",
    "script_arguments",
    "defaults",
)


def _pool(options: BatchOptions, spec: WorkerSpec) -> Pool:
    if options.dask:
        return DaskPool(options.dask, spec, options.timeout_s)
    return LocalPool(spec, options.processes(), options.timeout_s)


def _describe(exc: BaseException) -> str:
    """The failure in one line (its traceback is recorded apart)."""
    if isinstance(exc, cf.TimeoutError | TimeoutError):
        return f"TimeoutError: {exc or 'run() took longer than --run-invocation-timeout'}"
    exit_code = getattr(exc, "exitcode", None)  # pebble's ProcessExpired
    if exit_code is not None:
        return f"{type(exc).__name__}: the worker process died during run() (exit code {exit_code})"
    cause = exc.__cause__
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {first}"
    said = str(cause).strip() if cause is not None else ""
    # pebble chains the worker's traceback as the cause: that is recorded apart, in full
    if said and said not in str(exc) and not said.startswith("Traceback"):
        text += f" ({said.splitlines()[0]})"
    return text


def clear(folder: Path, rows_file: str) -> None:
    """--restart: remove what an earlier run wrote (the user's own files stay)."""
    for name in (*RESERVED_NAMES, rows_file):
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def identity(options: BatchOptions, source: Input, digests: fingerprint.Digests) -> dict[str, Any]:
    """What the results depend on (scorehost/batch/fingerprint.py)."""
    settings = options.model_dump(include=set(_RESULT_OPTIONS))
    return {
        "script": hashlib.sha256(options.entry_script.read_bytes()).hexdigest(),
        "model": digests.of_folder(options.model_dir) if options.model_dir else None,
        "input": digests.of_files(source.root, source.files),
        "options": settings,
    }


class Run:
    def __init__(self, options: BatchOptions) -> None:
        self.options = options
        folder = options.output
        if options.restart:
            clear(folder, options.rows_file_name)
        folder.mkdir(parents=True, exist_ok=True)
        source = read_input(
            options.input,
            options.size(is_table(Path(options.input)) or options.tabular),
            folder,
            tabular=options.tabular,
            partition_keys=options.partition_keys,
        )
        self.batches = source.batches
        digests = fingerprint.Digests(folder / fingerprint.DIGESTS_NAME)
        self.progress = Progress(folder, identity(options, source, digests))
        digests.save()
        self.logs = (folder / logs.LOGS_NAME).resolve()
        self.spec = WorkerSpec(
            options.script_spec(), options.contract, logs.LogSetup(self.logs, options.logging_level)
        )
        # a run that finished every mini-batch turned its spool into the rows file: nothing is
        # left to add to it
        everything_done = len(self.progress.finished) == len(self.batches)
        spooled = (folder / output.SPOOL_NAME).exists()
        self.spool = (
            output.RowsSpool(folder, self.progress.rows_end)
            if options.output_action == "append_row" and (spooled or not everything_done)
            else None
        )
        self.items = sum(len(b.items) for b in self.batches)
        self._retried: set[int] = set()
        finished = self.progress.finished.values()
        # kept as counts: the thresholds are checked after every mini-batch
        self._failed = sum(f.failed for f in finished)
        self._failed_batches = sum(1 for f in finished if f.failed)
        self._first: float | None = None  # when the first call of this run came back
        self._scored = 0  # items this run finished
        self._later = 0  # items that succeeded after the first call came back

    def over_threshold(self) -> str | None:
        """Which threshold the failures so far pass, if any."""
        options = self.options
        if options.error_threshold != -1 and self._failed > options.error_threshold:
            return f"{self._failed} items failed, more than --error-threshold allows"
        if (
            options.mini_batch_error_threshold != -1
            and self._failed_batches > options.mini_batch_error_threshold
        ):
            return (
                f"{self._failed_batches} mini-batches failed, more than "
                "--mini-batch-error-threshold allows"
            )
        if self._failed_batches * 100 > options.allowed_failed_percent * len(self.batches):
            return (
                f"{self._failed_batches} of {len(self.batches)} mini-batches failed, more than "
                f"--allowed-failed-percent {options.allowed_failed_percent:g} allows"
            )
        return None

    def execute(self, bar: "Bar") -> output.Summary:
        started = time.perf_counter()
        todo = deque((b, 1) for b in self.batches if b.index not in self.progress.finished)
        resumed = len(self.batches) - len(todo)
        bar.update(sum(len(f.items) for f in self.progress.finished.values()))
        stopped = self.over_threshold()
        pool = _pool(self.options, self.spec) if todo and not stopped else None
        running: dict[cf.Future[Outcome], tuple[MiniBatch, int]] = {}
        try:
            while pool and (todo or running) and not stopped:
                while todo and len(running) < pool.slots:
                    batch, tries = todo.popleft()
                    running[pool.submit(batch)] = (batch, tries)
                done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    batch, tries = running.pop(future)
                    if self._finish(batch, tries, future, bar):
                        todo.appendleft((batch, tries + 1))
                stopped = self.over_threshold()
        except InitFailed as exc:
            self._close(pool, running, finished=False)
            self._end(started, resumed, f"init() failed: {exc}")
            raise BatchFailed(str(exc)) from exc
        except KeyboardInterrupt:
            self._close(pool, running, finished=False)
            self._end(started, resumed, "interrupted")
            raise BatchInterrupted(
                f"interrupted: {len(self.progress.finished)} of {len(self.batches)} mini-batches "
                f"are recorded in {self.options.output / PROGRESS_NAME}; run the same command "
                "again to go on from there"
            ) from None
        self._close(pool, running, finished=not stopped)
        return self._end(started, resumed, stopped)

    def _close(
        self, pool: Pool | None, running: dict["cf.Future[Outcome]", Any], finished: bool
    ) -> None:
        for future in running:
            future.cancel()
        if pool:
            pool.close(finished)
        self.progress.close()

    def _finish(
        self, batch: MiniBatch, tries: int, future: "cf.Future[Outcome]", bar: "Bar"
    ) -> bool:
        """Record a finished call; True if the mini-batch should be tried again."""
        try:
            outcome = future.result()
        except InitFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - the script's failure, or a call past its timeout
            if tries < self.options.tries:
                self._retried.add(batch.index)
                return True
            text = "".join(traceback.format_exception(exc)) if exc.__traceback__ else None
            finished = Finished(
                batch.index, batch.items, tries, error=_describe(exc), traceback=text
            )
        else:
            succeeded = min(outcome.returned, len(batch.items))
            short = outcome.returned < len(batch.items)
            rows_at = (
                self.spool.append(outcome.rows) if self.spool is not None and outcome.rows else None
            )
            finished = Finished(
                batch.index,
                batch.items,
                tries,
                succeeded=succeeded,
                rows_at=rows_at,
                error=(
                    f"run() returned {outcome.returned} results for {len(batch.items)} items; "
                    "each returned element counts as one item that succeeded"
                )
                if short
                else None,
                agent=outcome.agent or None,
                seconds=outcome.seconds,
            )
        self.progress.record(finished)
        self._failed += finished.failed
        self._failed_batches += 1 if finished.failed else 0
        self._scored += len(batch.items)
        if self._first is None:
            self._first = time.perf_counter()
        else:
            self._later += finished.succeeded
        bar.update(len(batch.items))
        return False

    def _end(self, started: float, resumed: int, stopped: str | None) -> output.Summary:
        ended = time.perf_counter()
        finished = self.progress.finished
        folder = self.options.output
        rows = folder / self.options.rows_file_name
        if self.spool is not None:
            if stopped is None:
                self.spool.write_rows(rows, finished)
            else:
                self.spool.close()  # kept for the run that goes on from here
        writes_rows = (
            self.options.output_action == "append_row" and stopped is None and rows.exists()
        )
        output.write_errors(folder / output.ERRORS_NAME, finished)
        logs.write_job_logs(self.logs, finished, len(self.batches), stopped)
        seconds = round(ended - started, 3)
        summary = output.Summary(
            items=self.items,
            succeeded=sum(f.succeeded for f in finished.values()),
            failed=self._failed,
            failed_mini_batches=self._failed_batches,
            retried=sum(len(self.batches[i].items) for i in self._retried),
            mini_batches=len(self.batches),
            resumed=resumed,
            seconds=seconds,
            items_per_s=round(self._scored / seconds, 1) if seconds else 0.0,
            running_items_per_s=(
                round(self._later / (ended - self._first), 1)
                if self._first is not None and ended > self._first and self._later
                else None
            ),
            stopped=stopped,
            rows_file=str(rows) if writes_rows else None,
        )
        output.write_summary(folder / output.SUMMARY_NAME, summary)
        return summary


class Bar:
    """Items done, items/s and the time left (tqdm), on a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, unit="item", disable=None if enabled else True, smoothing=0.1)

    def update(self, items: int) -> None:
        self._bar.update(items)

    def close(self) -> None:
        self._bar.close()
