"""A batch run from start to end: cut the input, skip what a previous run finished, keep every
worker busy, retry failing mini-batches, stop past the error threshold, write the output."""

import concurrent.futures as cf
import time
import traceback
from collections import deque
from pathlib import Path

from scorehost.batch import inputs, output
from scorehost.batch.errors import BatchFailed
from scorehost.batch.inputs import MiniBatch
from scorehost.batch.options import BatchOptions
from scorehost.batch.pools import DaskPool, LocalPool, Pool
from scorehost.batch.progress import Finished, Progress
from scorehost.batch.scorer import Outcome, WorkerSpec
from scorehost.batch.worker import InitFailed


def _pool(options: BatchOptions, spec: WorkerSpec) -> Pool:
    if options.dask:
        return DaskPool(options.dask, spec, options.run_invocation_timeout)
    return LocalPool(spec, options.processes(), options.run_invocation_timeout)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, cf.TimeoutError | TimeoutError):
        return f"TimeoutError: {exc or 'run() took longer than --run-invocation-timeout'}"
    exit_code = getattr(exc, "exitcode", None)  # pebble's ProcessExpired
    if exit_code is not None:
        return f"{type(exc).__name__}: the worker process died during run() (exit code {exit_code})"
    cause = exc.__cause__
    return f"{type(exc).__name__}: {exc}" + (
        f" ({cause})" if cause and str(cause) not in str(exc) else ""
    )


class Run:
    def __init__(self, options: BatchOptions) -> None:
        self.options = options
        table = inputs.is_table(Path(options.input))
        self.batches = inputs.mini_batches(options.input, options.size(table), options.output)
        self.spec = WorkerSpec(options.script_spec(), options.contract)
        self.progress = Progress(
            options.output,
            {
                "entry_script": str(self.spec.script.path),
                "input": options.input,
                "items": [list(b.items) for b in self.batches],
                "contract": options.contract,
            },
        )
        self.items = sum(len(b.items) for b in self.batches)
        self.retried = 0
        # kept as a count: the threshold is checked after every mini-batch
        self._failed = sum(f.failed for f in self.progress.finished.values())
        self._first: float | None = None  # when the first call of this run came back
        self._later = 0  # items that succeeded after it

    def failed(self) -> int:
        return self._failed

    def over_threshold(self) -> bool:
        threshold = self.options.error_threshold
        return threshold != -1 and self.failed() > threshold

    def execute(self, bar: "Bar") -> output.Summary:
        started = time.perf_counter()
        todo = deque((b, 1) for b in self.batches if b.index not in self.progress.finished)
        resumed = len(self.batches) - len(todo)
        bar.update(sum(f.succeeded + f.failed for f in self.progress.finished.values()))
        stopped = (
            "more items failed than --error-threshold allows" if self.over_threshold() else None
        )
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
                    retry = self._finish(batch, tries, future, bar)
                    if retry:
                        todo.appendleft((batch, tries + 1))
                if self.over_threshold():
                    stopped = "more items failed than --error-threshold allows"
        finally:
            for future in running:
                future.cancel()
            if pool:
                pool.close()
            self.progress.close()
        return self._summary(started, resumed, stopped)

    def _finish(
        self, batch: MiniBatch, tries: int, future: "cf.Future[Outcome]", bar: "Bar"
    ) -> bool:
        """Record a finished call; True if the mini-batch should be tried again."""
        try:
            outcome = future.result()
        except InitFailed as exc:
            raise BatchFailed(str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - the script's failure, or a call past its timeout
            if tries < self.options.run_max_try:
                self.retried += len(batch.items)
                return True
            text = "".join(traceback.format_exception(exc)) if exc.__traceback__ else None
            finished = Finished(
                batch.index, batch.items, tries, error=_describe(exc), traceback=text
            )
        else:
            short = outcome.succeeded < len(batch.items)
            finished = Finished(
                batch.index,
                batch.items,
                tries,
                lines=outcome.lines,
                succeeded=outcome.succeeded,
                error=(
                    f"run() returned {outcome.succeeded} results for {len(batch.items)} items; "
                    "each returned element counts as one item that succeeded"
                )
                if short
                else None,
            )
        self.progress.record(finished)
        self._failed += finished.failed
        if self._first is None:
            self._first = time.perf_counter()
        else:
            self._later += finished.succeeded
        bar.update(len(batch.items))
        return False

    def _summary(self, started: float, resumed: int, stopped: str | None) -> output.Summary:
        ended = time.perf_counter()
        finished = self.progress.finished
        folder = self.options.output
        rows = folder / self.options.append_row_file_name
        writes_rows = self.options.output_action == "append_row" and stopped is None
        if writes_rows:
            output.write_rows(rows, finished)
        output.write_errors(folder / output.ERRORS_NAME, finished)
        summary = output.Summary(
            items=self.items,
            succeeded=sum(f.succeeded for f in finished.values()),
            failed=self.failed(),
            retried=self.retried,
            mini_batches=len(self.batches),
            resumed=resumed,
            seconds=round(ended - started, 3),
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
