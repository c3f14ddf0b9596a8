"""One worker's side of a batch run: the script loaded and init() called once, then run() on
each mini-batch, its return turned into output lines (Azure ML's rule: each returned element is
one item that succeeded)."""

import contextlib
import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from scorehost.app.scoring.encoding import to_json
from scorehost.app.scoring.entry_script import (
    EntryScriptError,
    Kind,
    RunRaised,
    Script,
    ScriptSpec,
    load_script,
)
from scorehost.batch.inputs import MiniBatch
from scorehost.batch.logs import LogSetup

Contract = Literal["mini_batch", "online"]
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


class ItemsFailed(Exception):
    """run() raised, or its items could not be given to it: the whole mini-batch failed."""


@dataclass(frozen=True)
class WorkerSpec:
    """What each worker process needs to load the script (picklable: sent to every worker)."""

    script: ScriptSpec
    contract: Literal["auto", "mini_batch", "online"]
    logs: LogSetup | None = None  # None: the process's logging and streams are left alone


@dataclass(frozen=True)
class Outcome:
    rows: str  # the text append_row writes for this mini-batch: one row per result
    returned: int  # results run() returned: each one an item that succeeded
    agent: str = ""  # the worker process that ran it (processNNN)
    seconds: float = 0.0  # how long run() took


@dataclass(frozen=True)
class MiniBatchContext:
    """run(mini_batch, mini_batch_context): what Azure ML's ParallelRunStep passes beside a
    mini-batch (with partition_keys: the values of its rows' keys)."""

    minibatch_index: int
    partition_key_value: dict[str, Any] | None = None
    dataset: Any = None


def contract_of(script: Script, choice: str) -> Contract:
    contract = script.contract
    if contract.kind is Kind.RAW:
        raise EntryScriptError(
            f"run() in {script.path} is @rawhttp: it takes an HTTP request, which batch scoring "
            "does not have; write run(mini_batch) for batch"
        )
    if choice != "auto":
        return "online" if choice == "online" else "mini_batch"
    online = contract.kind is Kind.TYPED or contract.data_parameter == "raw_data"
    return "online" if online else "mini_batch"


_PLAIN_KINDS = frozenset("iufb")  # integers, unsigned, floats (64-bit), booleans


def frame_rows(frame: Any) -> str:
    """A DataFrame's rows exactly as `to_csv(sep=" ", header=False, index=False)` writes them,
    which is how Azure ML's append_row writes a frame. Columns of plain integers, 64-bit floats,
    booleans and text take a faster path through the csv module (pandas' writer cost about 1 ms
    per mini-batch, 15% of a worker's time on the MNIST example); anything else (float32,
    dates, pd.NA, categories...) goes through pandas itself."""
    if not all(_plain_column(frame[column]) for column in frame.columns) or (
        frame.columns.duplicated().any()
    ):
        text: str = frame.to_csv(sep=" ", header=False, index=False, lineterminator="\n")
        return text
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=" ", lineterminator="\n")
    for row in frame.itertuples(index=False, name=None):
        writer.writerow("" if _missing(cell) else cell for cell in row)
    return buffer.getvalue()


def _plain_column(column: Any) -> bool:
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in _PLAIN_KINDS:
        return dtype.kind != "f" or dtype.itemsize == 8
    if dtype.kind == "O":
        return bool(pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"))
    return False


def _missing(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell)  # NaN is not itself


def _json(value: Any) -> str:
    """A value as the server sends run()'s value (numpy included): an online script's result."""
    return value if isinstance(value, str) else to_json(value).decode()


def list_rows(values: list[Any]) -> str:
    """A list's elements as append_row writes them: each with str(), one per line."""
    return "".join(f"{value}\n" for value in values)


class Scorer:
    def __init__(self, spec: WorkerSpec) -> None:
        self.script = load_script(spec.script)
        self.contract = contract_of(self.script, spec.contract)
        self._wants_context = "mini_batch_context" in self.script.contract.parameters
        self.script.init()

    def score(self, batch: MiniBatch) -> Outcome:
        if self.contract == "online":
            return self._online(batch)
        extra = (
            {"mini_batch_context": MiniBatchContext(batch.index, batch.partition)}
            if self._wants_context
            else {}
        )
        return self._rows(self._run(batch.data, **extra))

    def shutdown(self) -> None:
        """The script's shutdown(), if it has one (Azure ML v2 calls it as a worker ends)."""
        shutdown = getattr(self.script.module, "shutdown", None)
        if callable(shutdown):
            try:
                shutdown()
            except Exception as exc:  # noqa: BLE001 - the worker is ending: say so, go on
                print(f"shutdown() in {self.script.path} raised {exc!r}", file=sys.stderr)

    def _run(self, data: Any, **extra: Any) -> Any:
        contract = self.script.contract
        try:
            return contract.call({contract.data_parameter: data, **extra}).value
        except RunRaised as exc:
            raise ItemsFailed(str(exc)) from exc.original

    def _rows(self, value: Any) -> Outcome:
        import pandas as pd

        if isinstance(value, pd.DataFrame):  # Azure ML writes a frame's rows space-separated
            return Outcome(frame_rows(value), len(value))
        if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
            values = list(value)
            return Outcome(list_rows(values), len(values))
        raise ItemsFailed(
            f"run() returned {type(value).__name__}; batch scoring needs a list or a pandas "
            "DataFrame with one element per item of the mini-batch"
        )

    def _online(self, batch: MiniBatch) -> Outcome:
        rows = self._table_rows(batch)
        if self.script.contract.kind is Kind.TYPED:  # inference-schema passes an array through
            value = self._run(rows)
        else:
            value = self._run(json.dumps({"data": rows.tolist()}))
        if isinstance(value, str):  # a script that returns json.dumps(...)
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if not isinstance(value, list) or len(value) != len(batch.items):
            raise ItemsFailed(
                f"run() returned {_json(value)[:200]} for {len(batch.items)} rows; an online "
                "script in batch needs to return a list with one result per row"
            )
        # `<item> <result>`, quoted as the csv module quotes a field with a space, a quote or a
        # line break in it: a file's name can never forge a row
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=" ", lineterminator="\n")
        for item, result in zip(batch.items, value, strict=True):
            writer.writerow((item, _json(result)))
        return Outcome(buffer.getvalue(), len(value))

    def _table_rows(self, batch: MiniBatch) -> npt.NDArray[np.float64]:
        if batch.is_table:
            table: npt.NDArray[np.float64] = np.asarray(batch.data.to_numpy(), dtype=np.float64)
            return table
        rows = [_file_row(Path(path)) for path in batch.data]
        if len({row.size for row in rows}) > 1:
            sizes = ", ".join(
                f"{item}: {row.size}" for item, row in zip(batch.items, rows, strict=True)
            )
            raise ItemsFailed(f"the files give rows of different lengths ({sizes})")
        return np.stack(rows)


def _file_row(path: Path) -> npt.NDArray[np.float64]:
    """A file as one row: an image's grey levels (0..255), or a .npy array, flattened."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            loaded: npt.NDArray[np.float64] = np.load(path, allow_pickle=False).astype(np.float64)
            return loaded.ravel()
        if suffix in _IMAGE_SUFFIXES:
            from PIL import Image

            with Image.open(path) as image:
                return np.asarray(image.convert("L"), dtype=np.float64).ravel()
    except (OSError, ValueError) as exc:
        raise ItemsFailed(f"{path}: cannot read it ({exc})") from exc
    raise ItemsFailed(
        f"{path}: an online score.py gets rows, and scorehost makes rows from images and .npy "
        "files only; for other files write run(mini_batch), which gets the paths"
    )
