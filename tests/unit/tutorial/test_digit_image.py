from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scorehost.tutorial.digit_image import image_to_row, rows_from_file
from scorehost.tutorial.errors import NotADigit


def test_dark_ink_on_paper_becomes_a_centred_light_digit(tmp_path: Path) -> None:
    paper = np.full((100, 60), 255, dtype=np.uint8)
    paper[10:90, 5:15] = 0  # a thick vertical stroke near the left edge
    Image.fromarray(paper).save(tmp_path / "one.png")

    row = image_to_row(tmp_path / "one.png").reshape(28, 28)

    assert row.max() == pytest.approx(1.0, abs=0.05)
    assert row[0].max() == 0 and row[:, 0].max() == 0  # a margin, as in MNIST
    ys, xs = np.nonzero(row > 0.5)
    assert abs(ys.mean() - 13.5) < 1.5 and abs(xs.mean() - 13.5) < 1.5
    assert ys.max() - ys.min() + 1 == pytest.approx(20, abs=1)  # fitted into 20 pixels


def test_blank_image_is_refused(tmp_path: Path) -> None:
    Image.fromarray(np.full((28, 28), 255, dtype=np.uint8)).save(tmp_path / "blank.png")
    with pytest.raises(NotADigit, match="blank"):
        image_to_row(tmp_path / "blank.png")


def test_not_an_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.png").write_text("hello")
    with pytest.raises(NotADigit, match="not an image"):
        image_to_row(tmp_path / "notes.png")


@pytest.mark.parametrize("name", ["missing.png", "missing.json"])
def test_a_missing_file_is_named_as_missing_not_as_a_bad_image(tmp_path: Path, name: str) -> None:
    with pytest.raises(NotADigit) as refused:
        rows_from_file(tmp_path / name)
    assert str(refused.value) == (
        f"{tmp_path / name} does not exist: give the path of a digit picture or a JSON file of rows"
    )
    assert "Pillow" not in str(refused.value) and "Errno" not in str(refused.value)
