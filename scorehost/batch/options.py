"""`scorehost batch`'s options, named as Azure ML's ParallelRunConfig and batch deployments name
them; the flags are generated from this model (scorehost.app.flags)."""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import NoDecode

from scorehost.app.scoring.entry_script import ScriptSpec
from scorehost.app.scoring.model_mount import ModelLayout
from scorehost.batch.errors import BatchUsageError

_SIZE = re.compile(r"^\s*(\d+)\s*([KMG]?B)?\s*$", re.IGNORECASE)
_UNITS = {None: 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
DEFAULT_FILES_PER_BATCH = 10  # Azure ML's default for file datasets
DEFAULT_TABLE_BATCH_BYTES = 1024**2  # and for tabular ones: 1 MB
# What the run itself writes in --output: the rows file may not take these names.
RESERVED_NAMES = frozenset(
    {"errors.jsonl", "summary.json", "progress.jsonl", "rows.spool", "inputs.digests", "logs"}
)


@dataclass(frozen=True)
class Defaults:
    """Where Azure ML's two batch services differ: ParallelRunStep (SDK v1, ParallelRunConfig)
    and a batch endpoint's deployment (v2)."""

    rows_file: str
    tries: int  # run() calls per mini-batch in all
    timeout_s: float
    processes: int | None  # None: one per core


DEFAULTS = {
    # ParallelRunConfig: append_row_file_name, run_max_try 3, run_invocation_timeout 60,
    # process_count_per_node "the number of cores" on CPU (Troubleshooting the ParallelRunStep)
    "parallel_run_step": Defaults("parallel_run_step.txt", 3, 60, None),
    # batch deployment: output_file_name predictions.csv, retry_settings max_retries 3 and
    # timeout 30, max_concurrency_per_instance 1 (Microsoft Learn, batch endpoint deployment YAML)
    "batch_deployment": Defaults("predictions.csv", 4, 30, 1),
}


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

    defaults: Literal["parallel_run_step", "batch_deployment"] = "parallel_run_step"
    """Whose defaults the options below take where not given: ParallelRunStep's (SDK v1:
    parallel_run_step.txt, 3 tries, 60 s, one process per core) or a batch endpoint
    deployment's (v2: predictions.csv, max_retries 3, timeout 30 s, one process)."""

    error_threshold: int = Field(-1, ge=-1)
    """Failed items tolerated over the whole run; one more stops it with exit code 1; -1
    tolerates all (Azure ML's default)."""

    mini_batch_error_threshold: int = Field(-1, ge=-1)
    """Failed mini-batches tolerated (a raising run(), or fewer results than items); one more
    stops the run; -1 tolerates all (v1's allowed_failed_count)."""

    allowed_failed_percent: float = Field(100, ge=0, le=100)
    """Percent of the mini-batches that may fail; past it the run stops (checked once a tenth
    of them, at least one, has finished)."""

    run_invocation_timeout: float | None = Field(None, gt=0)
    """Seconds one run() call may take; a call past it is stopped and counts as a failed try
    [default: 60; batch_deployment: 30]."""

    run_max_try: int | None = Field(None, ge=1)
    """Tries per mini-batch (a raising or timed-out run() is tried again, up to this many)
    [default: 3; batch_deployment: 4, its max_retries 3 plus the first]."""

    max_retries: int | None = Field(None, ge=0)
    """v2's name: retries after the first try (run_max_try = max_retries + 1)."""

    output_action: Literal["append_row", "summary_only"] = "append_row"
    """append_row: what run() returns is written, one line per item, in input order;
    summary_only: only the counts and the errors."""

    append_row_file_name: str | None = None
    """The rows file's name inside the output folder [default: parallel_run_step.txt;
    batch_deployment: predictions.csv]."""

    process_count_per_node: int | None = Field(None, ge=1)
    """Worker processes on this machine, each calling init() once [default: one per core;
    batch_deployment: 1]."""

    logging_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    """The level of the script's logging written to logs/ (Azure ML's default: INFO)."""

    partition_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Table input: the columns whose equal values make one mini-batch each (instead of
    --mini-batch-size); run() gets mini_batch_context.partition_key_value."""

    tabular: bool = False
    """Read every CSV or Parquet file of a folder or glob as one table (cut into mini-batches
    of rows that never cross a file), instead of giving run() the file paths."""

    script_arguments: list[str] = Field(default_factory=list)
    """The script's own arguments, given after `--`: its sys.argv, as Azure ML passes
    `arguments` (v1) or `program_arguments` (v2)."""

    restart: bool = False
    """Start afresh in an --output an earlier run left: its progress and outputs are removed."""

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
    def _plain_name(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value or Path(value).name != value or value.startswith("."):
            raise ValueError(f"{value!r} must be a plain file name inside the output folder")
        if value in RESERVED_NAMES:
            raise ValueError(f"{value!r} is a file the run writes itself; name the rows otherwise")
        return value

    @field_validator("partition_keys", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "BatchOptions":
        if self.dask and self.process_count_per_node:
            raise ValueError(
                "--process-count-per-node is for local processes; with --dask the cluster's "
                "workers and their threads decide"
            )
        if self.run_max_try is not None and self.max_retries is not None:
            raise ValueError("give --run-max-try (v1: tries) or --max-retries (v2), not both")
        if self.partition_keys and self.mini_batch_size is not None:
            raise ValueError(
                "--partition-keys makes one mini-batch per key, so --mini-batch-size cannot be "
                "given too (Azure ML refuses both)"
            )
        return self

    @property
    def rows_file_name(self) -> str:
        return self.append_row_file_name or DEFAULTS[self.defaults].rows_file

    @property
    def tries(self) -> int:
        if self.max_retries is not None:
            return self.max_retries + 1
        return self.run_max_try or DEFAULTS[self.defaults].tries

    @property
    def timeout_s(self) -> float:
        return self.run_invocation_timeout or DEFAULTS[self.defaults].timeout_s

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
        seeing what a served script sees, its own arguments as its command line, and the
        output folder as AZUREML_BI_OUTPUT_PATH."""
        return ScriptSpec(
            path=self.entry_script.resolve(),
            model_dir=self.model_dir.resolve() if self.model_dir else None,
            model_layout=self.model_layout,
            app_root=Path.cwd(),
            environment={"AZUREML_BI_OUTPUT_PATH": str(self.output.resolve())},
            arguments=tuple(self.script_arguments),
            init_optional=True,
        )

    def processes(self) -> int:
        chosen = self.process_count_per_node or DEFAULTS[self.defaults].processes
        return chosen or os.cpu_count() or 1
