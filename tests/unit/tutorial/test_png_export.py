"""`scorehost data png`: an IDX images file as a folder of PNG files, pixel for pixel."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scorehost.app.cli import main
from scorehost.tutorial.idx import write_idx


def test_every_image_becomes_a_png_with_the_same_pixels_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    images = np.random.default_rng(0).integers(0, 256, (12, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)

    code = main(
        [
            "data",
            "png",
            str(tmp_path / "t10k-images-idx3-ubyte.gz"),
            "--dest",
            str(tmp_path / "png"),
            "--limit",
            "10",
        ]
    )

    assert code == 0
    files = sorted((tmp_path / "png").iterdir())
    assert [f.name for f in files] == [f"{n:05d}.png" for n in range(10)]
    assert all(np.array_equal(np.asarray(Image.open(f)), images[n]) for n, f in enumerate(files))
    assert "wrote 10 PNG files" in capsys.readouterr().out
