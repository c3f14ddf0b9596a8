"""What `--input` names, cut into mini-batches: files (a folder or a glob), one table, or (with
--tabular) every table file of a folder or glob; rows grouped by --partition-keys if given."""

import glob
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scorehost.batch.errors import BatchUsageError
from scorehost.batch.options import MiniBatchSize

if TYPE_CHECKING:
    import pandas as pd

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")


@dataclass(frozen=True)
class MiniBatch:
    """One run() call's worth: `items` names each input item (a file's path relative to the
    input, or a table's row: its number, after its file's name when there are several);
    `data` is what the script is given: absolute file paths, or a pandas DataFrame."""

    index: int
    items: tuple[str, ...]
    data: Any  # list[str] of absolute file paths, or a pandas DataFrame
    partition: dict[str, Any] | None = None  # --partition-keys: the key values of its rows

    @property
    def is_table(self) -> bool:
        return not isinstance(self.data, list)


@dataclass(frozen=True)
class Input:
    """The mini-batches, and the files they come from (whose content identifies the input)."""

    batches: list[MiniBatch]
    root: Path
    files: list[Path]


def _is_idx(path: Path) -> bool:
    name = path.name.removesuffix(".gz")
    return "-idx" in name and name.split("-idx")[-1][:1].isdigit()


def is_table(path: Path) -> bool:
    return path.is_file() and (path.suffix.lower() in TABLE_SUFFIXES or _is_idx(path))


def _files(spec: str) -> tuple[Path, list[Path]]:
    """The files and the folder their names are relative to (a glob's part before its first
    wildcard)."""
    path = Path(spec)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        return path, files
    if glob.has_magic(spec):
        fixed = list(itertools.takewhile(lambda part: not glob.has_magic(part), path.parts))
        root = Path(*fixed) if fixed else Path()
        pattern = str(Path(*path.parts[len(fixed) :]))
        return root, sorted(p for p in root.glob(pattern) if p.is_file())
    if path.is_file():
        return path.parent, [path]
    raise BatchUsageError(f"--input {spec}: no such file, folder or glob match")


def read_table(path: Path) -> "pd.DataFrame":
    """A CSV or Parquet file, or an MNIST IDX file as one row per image (columns 0..783)."""
    import pandas as pd

    if _is_idx(path):
        from scorehost.tutorial.errors import IdxError
        from scorehost.tutorial.idx import IMAGES_MAGIC, read_idx

        try:
            array = read_idx(path, IMAGES_MAGIC)
        except IdxError as exc:
            raise BatchUsageError(str(exc)) from exc
        return pd.DataFrame(array.reshape(array.shape[0], -1))
    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except (OSError, ValueError, ImportError) as exc:
        raise BatchUsageError(f"{path}: cannot read it as a table ({exc})") from exc


def read_input(
    spec: str,
    size: MiniBatchSize,
    output: Path | None = None,
    *,
    tabular: bool = False,
    partition_keys: Sequence[str] = (),
) -> Input:
    """Every mini-batch of the input, in input order."""
    path = Path(spec)
    if is_table(path):
        tables = [(path, path.name)]
        return Input(_table_batches(tables, size, partition_keys, single=True), path.parent, [path])
    root, files = _files(spec)
    if output is not None and root.resolve() in (output.resolve(), *output.resolve().parents):
        raise BatchUsageError(
            f"--output {output} is inside --input {spec}: its files would become input"
        )
    if not files:
        raise BatchUsageError(f"--input {spec}: no files to score")
    names = [f.relative_to(root).as_posix() for f in files]
    if tabular or partition_keys:
        not_tables = [n for n, f in zip(names, files, strict=True) if not is_table(f)]
        if not_tables:
            raise BatchUsageError(
                f"--tabular reads CSV, Parquet or IDX files only; {spec} also holds "
                f"{', '.join(not_tables[:3])}"
            )
        pairs = list(zip(files, names, strict=True))
        return Input(_table_batches(pairs, size, partition_keys, single=False), root, files)
    absolute = [str(f.resolve()) for f in files]  # Dask workers open them from anywhere
    batches = [
        MiniBatch(n, tuple(names[i : i + size.count]), absolute[i : i + size.count])
        for n, i in enumerate(range(0, len(files), size.count))
    ]
    return Input(batches, root, files)


def _table_batches(
    tables: list[tuple[Path, str]], size: MiniBatchSize, keys: Sequence[str], single: bool
) -> list[MiniBatch]:
    """Rows cut by the input's size (never across files, as Azure ML cuts a tabular dataset),
    or one mini-batch per partition key's values."""
    frames = []
    for path, name in tables:
        frame = read_table(path)
        if frame.empty:
            continue
        rows = [str(r) if single else f"{name}:{r}" for r in range(len(frame))]
        frames.append((path, frame, rows))
    if not frames:
        raise BatchUsageError(f"--input {tables[0][0]}: the table has no rows")
    if keys:
        return _partitions(frames, keys)
    batches: list[MiniBatch] = []
    for path, frame, rows in frames:
        # Azure ML cuts a table by the input's size: rows per mini-batch from the file's bytes
        # per row (an IDX file's own, uncompressed: gzipped or not, it cuts the same)
        on_disk = (
            int(frame.memory_usage(index=False).sum()) if _is_idx(path) else path.stat().st_size
        )
        step = max(1, int(size.count // max(on_disk / len(frame), 1.0)))
        for i in range(0, len(frame), step):
            batches.append(
                MiniBatch(len(batches), tuple(rows[i : i + step]), frame.iloc[i : i + step])
            )
    return batches


def _partitions(frames: list[tuple[Path, Any, list[str]]], keys: Sequence[str]) -> list[MiniBatch]:
    import pandas as pd

    whole = pd.concat([frame for _, frame, _ in frames], ignore_index=True)
    names = [name for _, _, rows in frames for name in rows]
    missing = [key for key in keys if key not in whole.columns]
    if missing:
        raise BatchUsageError(
            f"--partition-keys {', '.join(missing)}: no such column (the table has "
            f"{', '.join(map(str, whole.columns[:10]))})"
        )
    batches: list[MiniBatch] = []
    for values, group in whole.groupby(list(keys), sort=False, dropna=False):
        values = values if isinstance(values, tuple) else (values,)
        partition = {key: _plain(value) for key, value in zip(keys, values, strict=True)}
        items = tuple(names[i] for i in group.index)
        batches.append(MiniBatch(len(batches), items, group, partition))
    return batches


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds."""
    return value.item() if hasattr(value, "item") else value
