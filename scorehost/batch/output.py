"""What a run leaves in its output folder: the rows in input order (append_row), every failure
with its items and exception (errors.jsonl), and the counts (summary.json).

Rows reach the disk as each mini-batch finishes: appended to rows.spool, whose (offset, length)
each progress record keeps. At the end the rows file is the spool itself when the mini-batches
finished in input order (a rename), else their parts copied in input order a chunk at a time:
the driver never holds the rows, however many there are."""

import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from scorehost.batch.errors import BatchUsageError
from scorehost.batch.progress import RESTART_FLAG, Finished

ERRORS_NAME = "errors.jsonl"
SUMMARY_NAME = "summary.json"
SPOOL_NAME = "rows.spool"
_CHUNK = 1024**2


@dataclass(frozen=True)
class Summary:
    items: int
    succeeded: int
    failed: int
    failed_mini_batches: int
    retried: int  # items in mini-batches tried more than once (each counted once)
    mini_batches: int
    resumed: int  # mini-batches a previous run had finished
    seconds: float
    items_per_s: float  # items this run scored (not an earlier run's), per second
    # items/s once the first mini-batch is back: the workers' start and init() left out
    running_items_per_s: float | None
    stopped: str | None  # why the run stopped early, if it did
    rows_file: str | None


def write_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    partial.replace(path)  # a reader never sees half a file


class RowsSpool:
    """The rows of finished mini-batches, in the order they finished."""

    def __init__(self, folder: Path, recorded_end: int) -> None:
        self.path = folder / SPOOL_NAME
        self._file: BinaryIO = self.path.open("a+b")
        size = self._file.seek(0, os.SEEK_END)
        if size < recorded_end:
            self._file.close()
            raise BatchUsageError(
                f"{self.path} holds less than the progress record says the earlier run wrote "
                f"({size} of {recorded_end} bytes): it was changed by hand; {RESTART_FLAG} "
                "starts afresh"
            )
        self._file.truncate(recorded_end)  # rows of a mini-batch a kill left unrecorded
        self._file.seek(0, os.SEEK_END)

    def append(self, text: str) -> tuple[int, int]:
        data = text.encode("utf-8", "backslashreplace")
        offset = self._file.tell()
        self._file.write(data)
        self._file.flush()  # before its progress record: a record never points past the data
        return offset, len(data)

    def close(self) -> None:
        self._file.close()

    def write_rows(self, path: Path, finished: dict[int, Finished]) -> None:
        """The rows file, in input order; the spool is gone afterwards."""
        self.close()
        parts = [finished[i].rows_at for i in sorted(finished)]
        places = [p for p in parts if p is not None and p[1]]
        contiguous = all(a[0] + a[1] == b[0] for a, b in itertools.pairwise(places))
        if contiguous and (not places or places[0][0] == 0):
            with self.path.open("r+b") as spool:
                spool.truncate(places[-1][0] + places[-1][1] if places else 0)
            self.path.replace(path)
            return
        partial = path.with_name(f".{path.name}.partial")
        with self.path.open("rb") as spool, partial.open("wb") as out:
            for offset, length in places:
                spool.seek(offset)
                while length:
                    chunk = spool.read(min(_CHUNK, length))
                    out.write(chunk)
                    length -= len(chunk)
        partial.replace(path)
        self.path.unlink()


def write_errors(path: Path, finished: dict[int, Finished]) -> None:
    records = []
    for index in sorted(finished):
        batch = finished[index]
        if batch.failed:
            records.append(
                {
                    "mini_batch": index,
                    "items": list(batch.items),
                    "failed": batch.failed,
                    "tries": batch.tries,
                    "error": batch.error,
                    "traceback": batch.traceback,
                    "agent": batch.agent,
                }
            )
    write_text(path, "".join(json.dumps(record) + "\n" for record in records))


def write_summary(path: Path, summary: Summary) -> None:
    data: dict[str, Any] = dict(summary.__dict__)
    write_text(path, json.dumps(data, indent=2) + "\n")
