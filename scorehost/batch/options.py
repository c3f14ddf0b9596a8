"""`scorehost batch`'s options, named as Azure ML's ParallelRunConfig and batch deployments name
them; the flags are generated from this model (scorehost.app.flags)."""

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scorehost.app.scoring.entry_script import ScriptSpec
from scorehost.app.scoring.model_mount import ModelLayout
from scorehost.batch.errors import BatchUsageError

_SIZE = re.compile(r"^\s*(\d+)\s*([KMG]?B)?\s*$", re.IGNORECASE)
_UNITS = {None: 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
DEFAULT_FILES_PER_BATCH = 10  # Azure ML's default for file datasets
DEFAULT_TABLE_BATCH_BYTES = 1024**2  # and for tabular ones: 1 MB


class MiniBatchSize(BaseModel):
    """`--mini-batch-size`: a number of files, or for tables a size (`1024`, `10KB`, `10MB`)."""

    count: int
    in_bytes: bool

    @classmethod
    def parse(cls, text: str) -> "MiniBatchSize":
        match = _SIZE.match(text)
        if not match or int(match.group(1)) < 1:
            raise ValueError(
                f"mini-batch size {text!r}: give a number of files (10) or a size for tables "
                "(1024, 10KB, 10MB, 1GB)"
            )
        unit = match.group(2).upper() if match.group(2) else None
        return cls(count=int(match.group(1)) * _UNITS[unit], in_bytes=unit is not None)


class BatchOptions(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True, extra="forbid")

    entry_script: Path
    """The script with init() and run(mini_batch), or an online score.py with run(raw_data)."""

    input: str
    """A folder (every file in it, recursively), a glob (`digits/*.png`), or one table file:
    .csv, .parquet, or an MNIST IDX file (`t10k-images-idx3-ubyte`, gzipped or not)."""

    output: Path
    """Output folder: the rows file, errors.jsonl, summary.json and the progress of the run."""

    model_dir: Path | None = None
    """Exported to init() as $AZUREML_MODEL_DIR."""

    model_layout: ModelLayout = "folder"
    """folder: $AZUREML_MODEL_DIR is the model folder itself; registered: it holds the folder
    under its own name, as an Azure ML batch endpoint mounts a model registered from a folder
    (try a script here as it will run there)."""

    mini_batch_size: str | None = None
    """Files per run() call, or for tables the input size per call (1024, 10KB, 10MB)
    [default: 10 files; 1MB of a table]."""

    error_threshold: int = Field(-1, ge=-1)
    """Failed items tolerated over the whole run; one more stops it with exit code 1; -1
    tolerates all (Azure ML's default for batch deployments)."""

    run_invocation_timeout: float = Field(60, gt=0)
    """Seconds one run() call may take; a call past it is stopped and counts as a failed try."""

    run_max_try: int = Field(3, ge=1)
    """Tries per mini-batch (a raising or timed-out run() is tried again, up to this many)."""

    output_action: Literal["append_row", "summary_only"] = "append_row"
    """append_row: what run() returns is written, one line per item, in input order;
    summary_only: only the counts and the errors."""

    append_row_file_name: str = "parallel_run_step.txt"
    """The rows file's name inside the output folder (Azure ML's default name)."""

    process_count_per_node: int | None = Field(None, ge=1)
    """Worker processes on this machine, each calling init() once [default: one per core]."""

    dask: str | None = None
    """A Dask scheduler (tcp://host:8786): run the mini-batches on its workers instead of local
    processes; every worker calls init() once and needs the script, model and input files at
    the same paths."""

    contract: Literal["auto", "mini_batch", "online"] = "auto"
    """How run() is called. mini_batch: run(list of file paths | DataFrame), Azure ML's batch
    contract; online: an online score.py, given the items as {"data": [rows]} JSON. auto:
    online when run()'s parameter is named raw_data or is typed with @input_schema."""

    progress: bool = True
    """A progress bar with items/s and the time left (on a terminal)."""

    @field_validator("mini_batch_size")
    @classmethod
    def _size_parses(cls, value: str | None) -> str | None:
        if value is not None:
            MiniBatchSize.parse(value)
        return value

    @field_validator("append_row_file_name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not value or Path(value).name != value or value.startswith("."):
            raise ValueError(f"{value!r} must be a plain file name inside the output folder")
        return value

    @model_validator(mode="after")
    def _one_engine(self) -> "BatchOptions":
        if self.dask and self.process_count_per_node:
            raise ValueError(
                "--process-count-per-node is for local processes; with --dask the cluster's "
                "workers and their threads decide"
            )
        return self

    def size(self, table: bool) -> MiniBatchSize:
        """The mini-batch size for this input; a size in bytes only fits a table."""
        if self.mini_batch_size is None:
            if table:
                return MiniBatchSize(count=DEFAULT_TABLE_BATCH_BYTES, in_bytes=True)
            return MiniBatchSize(count=DEFAULT_FILES_PER_BATCH, in_bytes=False)
        size = MiniBatchSize.parse(self.mini_batch_size)
        if table:  # Azure ML reads a bare number as bytes for tables
            return MiniBatchSize(count=size.count, in_bytes=True)
        if size.in_bytes:
            raise BatchUsageError(
                f"mini-batch size {self.mini_batch_size!r} is a size, which only tables take; "
                "for files give a number of files"
            )
        return size

    def script_spec(self) -> ScriptSpec:
        """The script as every worker loads it (absolute paths: Dask workers start elsewhere),
        seeing what a served script sees."""
        return ScriptSpec(
            path=self.entry_script.resolve(),
            model_dir=self.model_dir.resolve() if self.model_dir else None,
            model_layout=self.model_layout,
            app_root=Path.cwd(),
        )

    def processes(self) -> int:
        return self.process_count_per_node or os.cpu_count() or 1
