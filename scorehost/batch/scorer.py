"""One worker's side of a batch run: the script loaded and init() called once, then run() on
each mini-batch, its return turned into output lines (Azure ML's rule: each returned element is
one item that succeeded)."""

import contextlib
import csv
import io
import json
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

Contract = Literal["mini_batch", "online"]
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


class ItemsFailed(Exception):
    """run() raised, or its items could not be given to it: the whole mini-batch failed."""


@dataclass(frozen=True)
class WorkerSpec:
    """What each worker process needs to load the script (picklable: sent to every worker)."""

    script: ScriptSpec
    contract: Literal["auto", "mini_batch", "online"]


@dataclass(frozen=True)
class Outcome:
    lines: tuple[str, ...]  # one per item that succeeded (append_row)
    succeeded: int


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


def frame_lines(frame: Any) -> tuple[str, ...]:
    """A DataFrame's rows as `to_csv(sep=" ", header=False, index=False)` writes them (missing
    values empty, a value with a space quoted), through the csv module: pandas' own writer
    cost about 1 ms per mini-batch, 15% of a worker's time on the MNIST example."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=" ", lineterminator="\n")
    for row in frame.itertuples(index=False, name=None):
        writer.writerow("" if _missing(cell) else cell for cell in row)
    return tuple(buffer.getvalue().splitlines())


def _missing(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell)  # NaN is not itself


def _text(value: Any) -> str:
    """A string as it is; anything else as the server sends run()'s value (numpy included)."""
    return value if isinstance(value, str) else to_json(value).decode()


class Scorer:
    def __init__(self, spec: WorkerSpec) -> None:
        self.script = load_script(spec.script)
        self.contract = contract_of(self.script, spec.contract)
        self.script.init()

    def score(self, batch: MiniBatch) -> Outcome:
        if self.contract == "online":
            return self._online(batch)
        value = self._run(batch.data)
        return self._lines(value, len(batch.items))

    def _run(self, data: Any) -> Any:
        contract = self.script.contract
        try:
            return contract.call({contract.data_parameter: data}).value
        except RunRaised as exc:
            raise ItemsFailed(str(exc)) from exc.original

    def _lines(self, value: Any, items: int) -> Outcome:
        import pandas as pd

        if isinstance(value, pd.DataFrame):  # Azure ML writes a frame's rows space-separated
            lines = frame_lines(value)
        elif isinstance(value, (list, tuple, np.ndarray, pd.Series)):
            lines = tuple(_text(element) for element in list(value))
        else:
            raise ItemsFailed(
                f"run() returned {type(value).__name__}; batch scoring needs a list or a pandas "
                "DataFrame with one element per item of the mini-batch"
            )
        return Outcome(lines, min(len(lines), items))

    def _online(self, batch: MiniBatch) -> Outcome:
        rows = self._rows(batch)
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
                f"run() returned {_text(value)[:200]} for {len(batch.items)} rows; an online "
                "script in batch needs to return a list with one result per row"
            )
        lines = tuple(
            f"{item} {_text(result)}" for item, result in zip(batch.items, value, strict=True)
        )
        return Outcome(lines, len(lines))

    def _rows(self, batch: MiniBatch) -> npt.NDArray[np.float64]:
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
