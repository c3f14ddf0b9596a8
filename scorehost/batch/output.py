"""What a run leaves in its output folder: the rows in input order (append_row), every failure
with its items and exception (errors.jsonl), and the counts (summary.json)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scorehost.batch.progress import Finished

ERRORS_NAME = "errors.jsonl"
SUMMARY_NAME = "summary.json"


@dataclass(frozen=True)
class Summary:
    items: int
    succeeded: int
    failed: int
    retried: int  # items in mini-batches tried more than once
    mini_batches: int
    resumed: int  # mini-batches a previous run had finished
    seconds: float
    # items/s once the first mini-batch is back: the workers' start and init() left out
    running_items_per_s: float | None
    stopped: str | None  # why the run stopped early, if it did
    rows_file: str | None

    @property
    def items_per_s(self) -> float:
        return self.succeeded / self.seconds if self.seconds else 0.0


def _write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    partial.replace(path)  # a reader never sees half a file


def write_rows(path: Path, finished: dict[int, Finished]) -> None:
    lines = [line for index in sorted(finished) for line in finished[index].lines]
    _write(path, "".join(f"{line}\n" for line in lines))


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
                }
            )
    _write(path, "".join(json.dumps(record) + "\n" for record in records))


def write_summary(path: Path, summary: Summary) -> None:
    data: dict[str, Any] = {**summary.__dict__, "items_per_s": round(summary.items_per_s, 1)}
    _write(path, json.dumps(data, indent=2) + "\n")
