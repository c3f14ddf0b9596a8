"""The run's record beside its output: what the run is (its identity: scorehost/batch/
fingerprint.py) and one JSON line per finished mini-batch, appended as each finishes, so a
killed run restarted with the same script, model, input and options skips what is done. A
mini-batch's rows are not in its record: they are in the rows spool (scorehost/batch/output.py),
and the record says where."""

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TextIO

from scorehost.batch.errors import BatchUsageError
from scorehost.batch.fingerprint import changed

PROGRESS_NAME = "progress.jsonl"
RESTART_FLAG = "--restart"  # the option that starts afresh in an --output


@dataclass(frozen=True)
class Finished:
    """A mini-batch's end: how many of its items succeeded and where its rows are in the spool
    (append_row), or the error after its last try."""

    index: int
    items: tuple[str, ...]
    tries: int
    succeeded: int = 0
    rows_at: tuple[int, int] | None = None  # (offset, length) in the rows spool
    error: str | None = None
    traceback: str | None = None
    agent: str | None = None  # the worker process that ran its last try (processNNN)
    seconds: float | None = None  # its last try's time
    resumed: bool = field(default=False, compare=False)

    @property
    def failed(self) -> int:
        return len(self.items) - self.succeeded


_FIELDS = tuple(f.name for f in fields(Finished) if f.name != "resumed")


class Progress:
    def __init__(self, folder: Path, identity: dict[str, Any]) -> None:
        self.path = folder / PROGRESS_NAME
        self._identity = identity
        self.finished: dict[int, Finished] = {}
        folder.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._resume()
        else:
            self.path.write_text(json.dumps({"run": identity}) + "\n")
        self._file: TextIO | None = None  # opened by the first record

    def _resume(self) -> None:
        text = self.path.read_text()
        lines = text.splitlines(keepends=True)
        try:
            recorded = json.loads(lines[0]).get("run") if lines else None
        except (json.JSONDecodeError, AttributeError):
            recorded = None
        if not isinstance(recorded, dict):
            raise BatchUsageError(
                f"{self.path} is not a scorehost batch record; give another --output, or "
                f"{RESTART_FLAG} to start afresh in this one"
            )
        differences = changed(recorded, self._identity)
        if differences:
            raise BatchUsageError(
                f"{self.path.parent} holds an earlier run whose results would be stale: "
                f"{', '.join(differences)} changed since. Pass {RESTART_FLAG} to start afresh "
                "in it (its outputs are removed), or give another --output"
            )
        good = len(lines[0].encode())
        for number, line in enumerate(lines[1:], start=2):
            if not line.endswith("\n"):
                break  # cut off when the run was killed: that mini-batch runs again
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BatchUsageError(
                    f"{self.path}, line {number}, is not a progress record ({exc}); the file "
                    f"was changed by hand: {RESTART_FLAG} starts afresh"
                ) from exc
            record["items"] = tuple(record["items"])
            if record.get("rows_at") is not None:
                record["rows_at"] = tuple(record["rows_at"])
            finished = Finished(**record, resumed=True)
            self.finished[finished.index] = finished
            good += len(line.encode())
        with self.path.open("r+b") as file:
            file.truncate(good)

    @property
    def rows_end(self) -> int:
        """Where the spool's recorded rows end (later bytes were never recorded)."""
        ends = [sum(f.rows_at) for f in self.finished.values() if f.rows_at is not None]
        return max(ends, default=0)

    def record(self, finished: Finished) -> None:
        self.finished[finished.index] = finished
        # by hand: dataclasses.asdict deep-copies, which was most of this call
        record = {name: getattr(finished, name) for name in _FIELDS}
        if self._file is None:
            self._file = self.path.open("a")
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()  # in the OS's hands: a killed run keeps it (no fsync: a crash of the
        # machine may lose the last lines, and their mini-batches run again)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
