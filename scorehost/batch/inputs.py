"""What `--input` names, cut into mini-batches: files (a folder or a glob) or one table."""

import glob
import itertools
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
    input, or a table's row number); `data` is what the script is given."""

    index: int
    items: tuple[str, ...]
    data: Any  # list[str] of file paths, or a pandas DataFrame

    @property
    def is_table(self) -> bool:
        return not isinstance(self.data, list)


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


def mini_batches(spec: str, size: MiniBatchSize, output: Path | None = None) -> list[MiniBatch]:
    """Every mini-batch of the input, in input order."""
    path = Path(spec)
    if is_table(path):
        return _table_batches(path, size)
    root, files = _files(spec)
    if output is not None and root.resolve() in (output.resolve(), *output.resolve().parents):
        raise BatchUsageError(
            f"--output {output} is inside --input {spec}: its files would become input"
        )
    if not files:
        raise BatchUsageError(f"--input {spec}: no files to score")
    names = [str(f.relative_to(root)) for f in files]
    return [
        MiniBatch(n, tuple(names[i : i + size.count]), [str(f) for f in files[i : i + size.count]])
        for n, i in enumerate(range(0, len(files), size.count))
    ]


def _table_batches(path: Path, size: MiniBatchSize) -> list[MiniBatch]:
    frame = read_table(path)
    if frame.empty:
        raise BatchUsageError(f"--input {path}: the table has no rows")
    # Azure ML cuts a table by the input's size: rows per mini-batch from the file's bytes per
    # row (an IDX file's own, uncompressed: gzipped or not, it cuts the same)
    on_disk = int(frame.memory_usage(index=False).sum()) if _is_idx(path) else path.stat().st_size
    per_row = max(on_disk / len(frame), 1.0)
    rows = max(1, int(size.count // per_row))
    return [
        MiniBatch(
            n, tuple(str(r) for r in range(i, min(i + rows, len(frame)))), frame.iloc[i : i + rows]
        )
        for n, i in enumerate(range(0, len(frame), rows))
    ]
