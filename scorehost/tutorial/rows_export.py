"""An IDX images file as a table of the rows the tutorial's model takes (pixels / 255, one row
per image): what its online score.py expects in `{"data": rows}`, for `scorehost batch`."""

from pathlib import Path

from scorehost.tutorial.idx import IMAGES_MAGIC, read_idx

SUFFIXES = (".parquet", ".csv")


def write_rows(images_path: Path, dest: Path, limit: int | None = None) -> int:
    """Write the images (all, or the first `limit`) as a table, Parquet or CSV by `dest`'s
    suffix (one of SUFFIXES); return how many rows were written."""
    import pandas as pd

    if dest.suffix == ".parquet":
        import pyarrow  # type: ignore[import-untyped]  # noqa: F401  (pandas' Parquet engine)
    images = read_idx(images_path, IMAGES_MAGIC)[:limit]
    rows = images.reshape(len(images), -1) / 255.0
    frame = pd.DataFrame(rows, columns=[str(n) for n in range(rows.shape[1])])
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.suffix == ".parquet":
        frame.to_parquet(dest, index=False)
    else:
        frame.to_csv(dest, index=False)
    return len(frame)
