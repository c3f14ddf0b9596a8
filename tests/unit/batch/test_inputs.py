"""`--input`: files and tables cut into mini-batches, in input order."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorehost.batch.errors import BatchUsageError
from scorehost.batch.inputs import MiniBatch, read_input
from scorehost.batch.options import MiniBatchSize
from scorehost.tutorial.idx import IMAGES_MAGIC

FILES = MiniBatchSize(count=2, in_bytes=False)


def mini_batches(spec: str, size: MiniBatchSize, output: Path | None = None) -> list[MiniBatch]:
    return read_input(spec, size, output).batches


def _files(folder: Path, names: list[str]) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(name)


def test_a_folder_is_every_file_in_it_sorted_and_named_relative_to_it(tmp_path: Path) -> None:
    _files(tmp_path, ["b.png", "a.png", "sub/c.png", ".hidden"])

    batches = mini_batches(str(tmp_path), FILES)

    assert [b.items for b in batches] == [("a.png", "b.png"), ("sub/c.png",)]
    assert batches[1].data == [str((tmp_path / "sub" / "c.png").resolve())]  # absolute
    assert [b.index for b in batches] == [0, 1]


def test_a_glob_takes_only_its_matches(tmp_path: Path) -> None:
    _files(tmp_path, ["1.png", "2.png", "notes.txt"])

    batches = mini_batches(str(tmp_path / "*.png"), MiniBatchSize(count=10, in_bytes=False))

    assert [b.items for b in batches] == [("1.png", "2.png")]


def test_nothing_to_score_is_said_plainly(tmp_path: Path) -> None:
    with pytest.raises(BatchUsageError, match="no such file"):
        mini_batches(str(tmp_path / "missing"), FILES)
    with pytest.raises(BatchUsageError, match="no files to score"):
        mini_batches(str(tmp_path), FILES)


def test_a_csv_is_cut_by_its_size_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": range(100), "b": range(100)}).to_csv(path, index=False)
    per_row = path.stat().st_size / 100

    batches = mini_batches(str(path), MiniBatchSize(count=math.ceil(per_row * 30), in_bytes=True))

    assert [len(b.items) for b in batches] == [30, 30, 30, 10]
    assert batches[1].items[0] == "30"
    assert list(batches[3].data["a"]) == list(range(90, 100))


def test_an_idx_file_is_a_table_of_pixel_rows(tmp_path: Path) -> None:
    images = np.arange(5 * 4, dtype=np.uint8).reshape(5, 2, 2)
    path = tmp_path / "t10k-images-idx3-ubyte"
    header = IMAGES_MAGIC.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in (5, 2, 2))
    path.write_bytes(header + images.tobytes())

    (batch,) = mini_batches(str(path), MiniBatchSize(count=1024, in_bytes=True))

    assert batch.items == ("0", "1", "2", "3", "4")
    assert batch.data.to_numpy().tolist() == images.reshape(5, 4).tolist()


def test_a_truncated_idx_file_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(IMAGES_MAGIC.to_bytes(4, "big") + (5).to_bytes(4, "big"))
    with pytest.raises(BatchUsageError, match="t10k-images-idx3-ubyte"):
        mini_batches(str(path), FILES)


def test_an_output_folder_inside_the_input_is_refused(tmp_path: Path) -> None:
    _files(tmp_path, ["a.png"])
    with pytest.raises(BatchUsageError, match="inside --input"):
        mini_batches(str(tmp_path), FILES, tmp_path / "out")
