"""The run's record beside its output: one JSON line per finished mini-batch, appended as each
finishes, so a killed run restarted with the same arguments skips what is already done."""

import hashlib
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TextIO

from scorehost.batch.errors import BatchUsageError

PROGRESS_NAME = "progress.jsonl"


@dataclass(frozen=True)
class Finished:
    """A mini-batch's end: its lines (append_row), or the error after its last try."""

    index: int
    items: tuple[str, ...]
    tries: int
    lines: tuple[str, ...] = ()
    succeeded: int = 0
    error: str | None = None
    traceback: str | None = None
    resumed: bool = field(default=False, compare=False)

    @property
    def failed(self) -> int:
        return len(self.items) - self.succeeded


_FIELDS = tuple(f.name for f in fields(Finished) if f.name != "resumed")


def fingerprint(run: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(run, sort_keys=True).encode()).hexdigest()


class Progress:
    def __init__(self, folder: Path, run: dict[str, Any]) -> None:
        self.path = folder / PROGRESS_NAME
        self._run = fingerprint(run)
        self.finished: dict[int, Finished] = {}
        folder.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._resume()
        else:
            self.path.write_text(json.dumps({"run": self._run}) + "\n")
        self._file: TextIO | None = None  # opened by the first record

    def _resume(self) -> None:
        text = self.path.read_text()
        lines = text.splitlines(keepends=True)
        if (
            not lines
            or not lines[0].startswith("{")
            or json.loads(lines[0]).get("run") != self._run
        ):
            raise BatchUsageError(
                f"{self.path} records a run with other arguments or input; give another "
                "--output, or delete that file to start over"
            )
        good = len(lines[0])  # json.dumps writes ASCII: characters are bytes
        for number, line in enumerate(lines[1:], start=2):
            if not line.endswith("\n"):
                break  # cut off when the run was killed: that mini-batch runs again
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BatchUsageError(
                    f"{self.path}, line {number}, is not a progress record ({exc}); the file "
                    "was changed by hand: delete it to start over"
                ) from exc
            record["items"], record["lines"] = tuple(record["items"]), tuple(record["lines"])
            finished = Finished(**record, resumed=True)
            self.finished[finished.index] = finished
            good += len(line)
        with self.path.open("r+") as file:
            file.truncate(good)

    def record(self, finished: Finished) -> None:
        self.finished[finished.index] = finished
        # by hand: dataclasses.asdict deep-copies every line, which was most of this call
        record = {name: getattr(finished, name) for name in _FIELDS}
        if self._file is None:
            self._file = self.path.open("a")
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()  # in the OS's hands: a killed run keeps it (no fsync: a crash of the
        # machine may lose the last lines, and their mini-batches run again)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
