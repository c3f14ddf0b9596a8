"""`scorehost data rows`: an IDX images file as the table of rows the tutorial's model takes."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorehost.app.cli import main
from scorehost.tutorial.idx import write_idx


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_each_image_is_one_row_of_pixels_over_255_in_order(tmp_path: Path, suffix: str) -> None:
    images = np.random.default_rng(1).integers(0, 256, (6, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "images-idx3-ubyte", images)
    dest = tmp_path / f"rows{suffix}"

    code = main(["data", "rows", str(tmp_path / "images-idx3-ubyte"), "--dest", str(dest)])

    assert code == 0
    table = pd.read_parquet(dest) if suffix == ".parquet" else pd.read_csv(dest)
    assert table.shape == (6, 784)
    assert np.allclose(table.to_numpy(), images.reshape(6, -1) / 255.0)


def test_a_destination_that_is_no_table_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["data", "rows", str(tmp_path / "x"), "--dest", str(tmp_path / "rows.txt")])
    assert exited.value.code == 2
    assert "name a .parquet or .csv file" in capsys.readouterr().err
