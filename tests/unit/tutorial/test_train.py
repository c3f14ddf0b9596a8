"""`scorehost train` on IDX files found anywhere under --data, as the tutorial's glob does."""

import json
from pathlib import Path

import joblib
import numpy as np
import pytest

from scorehost.app.cli import main
from scorehost.tutorial.idx import write_idx


def _write_split(folder: Path, prefix: str, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    # Each class lights up its own band of pixels, so the model can learn it.
    images = rng.integers(0, 40, size=(count, 28, 28)).astype(np.uint8)
    for index, label in enumerate(labels):
        images[index, label * 2 : label * 2 + 3, :] = 250
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels.astype(np.uint8))


def test_train_on_idx_files_writes_model_and_metadata(tmp_path: Path) -> None:
    _write_split(tmp_path / "data" / "nested", "train", 200, seed=1)
    _write_split(tmp_path / "data" / "other", "t10k", 50, seed=2)

    code = main(["train", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")])

    assert code == 0
    model = joblib.load(tmp_path / "out" / "sklearn_mnist_model.pkl")
    assert model.n_features_in_ == 784
    metadata = json.loads((tmp_path / "out" / "sklearn_mnist_model.json").read_text())
    assert metadata["accuracy"] == 1.0
    assert metadata["evaluated_on"] == "the t10k test files (50 digits)"
    assert "scikit-learn" in metadata["versions"]
    assert not list((tmp_path / "out").glob("*.partial"))


def test_missing_idx_files_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "error: no train-images-idx3-ubyte[.gz]" in capsys.readouterr().err


def test_truncated_idx_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_split(tmp_path, "train", 20, seed=1)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:100])
    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "train-images-idx3-ubyte.gz: cannot read" in capsys.readouterr().err
    assert not (tmp_path / "out" / "sklearn_mnist_model.pkl").exists()


def test_reg_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["train", "--reg", "0"])
    assert info.value.code == 2
    assert "must be positive, got 0" in capsys.readouterr().err
