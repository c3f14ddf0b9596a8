"""Users' own projects, laid out as a user keeps them, for tests that must not lean on the
tutorial: each with its own score.py, model folder, sample request and the answer it expects.

- `multimodel`: the shape of azureml-examples' cli/endpoints/online/custom-container/minimal/
  multimodel (code/minimal-multimodel-score.py, models/*.sav, test-data/*.json): every model in
  $AZUREML_MODEL_DIR/models, picked per request by the body's "model" key, the rows a pandas
  "columns" object. Not `{"data": rows}`, not MNIST.
- `image`: the package's @rawhttp example (scorehost/examples/image/score.py) with a PNG as the
  whole body, as Azure ML's binary-payloads examples send files.
- `repository`: `multimodel` where most users keep it, at the root of a git repository with
  its virtual environment, git objects, scorehost's keys, data the .gitignore leaves out, and a
  batch driver beside score.py."""

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from PIL import Image
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge

from tests.paths import EXAMPLES

MULTIMODEL_SCORE = '''\
"""Every model in $AZUREML_MODEL_DIR/models, chosen by the request's "model" key."""
import json
import os
from pathlib import Path

import joblib
import pandas as pd


def init():
    global models
    folder = Path(os.environ["AZUREML_MODEL_DIR"]) / "models"
    models = {path.stem: joblib.load(path) for path in folder.glob("*.sav")}


def run(raw_data):
    request = json.loads(raw_data)
    model = models[request["model"]]
    return model.predict(pd.DataFrame(request["data"])).tolist()
'''


BATCH_DRIVER = '''\
"""The iris model over each CSV file of a mini-batch, in the shape of Microsoft's custom batch
drivers (the model folder found one level under AZUREML_MODEL_DIR, a DataFrame back)."""
import glob
import os

import joblib
import pandas as pd


def init():
    global model
    folder = glob.glob(os.environ["AZUREML_MODEL_DIR"] + "/*/")[0]
    model = joblib.load(os.path.join(folder, "iris.sav"))


def run(mini_batch):
    results = []
    for file_path in mini_batch:
        rows = pd.read_csv(file_path)
        predictions = model.predict(rows).tolist()
        results.append(pd.DataFrame({"file": os.path.basename(file_path), "class": predictions}))
    return pd.concat(results)
'''
# What a repository holds that must never leave the machine, by where it lies in it.
NEVER_SENT = (".venv/", ".git/", ".scorehost/", "data/", "training.log", "notebooks/")


@dataclass(frozen=True)
class Project:
    root: Path
    script: Path
    model_dir: Path  # what AZUREML_MODEL_DIR is when served
    sample: Path
    content_type: str
    expected: Any  # the answer to the sample
    expect_file: Path  # the same, as a JSON file for --expect


def _expect(root: Path, answer: Any) -> Path:
    path = root / "expected-answer.json"
    path.write_text(json.dumps(answer))
    return path


def multimodel(root: Path) -> Project:
    """Two scikit-learn models trained on the spot (iris, diabetes) and a request for iris."""
    (root / "models").mkdir(parents=True)
    iris = load_iris(as_frame=True)
    classifier = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
    joblib.dump(classifier, root / "models" / "iris.sav")
    diabetes = load_diabetes(as_frame=True)
    joblib.dump(Ridge().fit(diabetes.data, diabetes.target), root / "models" / "diabetes.sav")
    rows = iris.data.iloc[[0, 60, 120]].reset_index(drop=True)
    sample = root / "test-data" / "iris-test-data.json"
    sample.parent.mkdir()
    sample.write_text(json.dumps({"model": "iris", "data": rows.to_dict()}))
    (root / "score.py").write_text(MULTIMODEL_SCORE)
    expected = classifier.predict(pd.DataFrame(rows)).tolist()
    return Project(
        root, root / "score.py", root, sample, "application/json", expected, _expect(root, expected)
    )


def image(root: Path, mnist_model_dir: Path, digit: np.ndarray, label: int) -> Project:
    """The @rawhttp image example over the tutorial's model; the sample is one digit's PNG."""
    root.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.fromarray((digit * 255).round().astype(np.uint8).reshape(28, 28)).save(buffer, "PNG")
    sample = root / "digit.png"
    sample.write_bytes(buffer.getvalue())
    expected = {"digit": label}
    script = EXAMPLES / "image" / "score.py"
    return Project(
        root, script, mnist_model_dir, sample, "image/png", expected, _expect(root, expected)
    )


def repository(root: Path) -> Project:
    """`multimodel` at a repository's root: .venv, .git, .scorehost's keys, raw data and
    notebooks beside score.py, the last three left out by the .gitignore; batch_driver.py and
    two CSV files of iris rows (batch-data/) for a batch endpoint."""
    project = multimodel(root)
    (root / ".gitignore").write_text("data/\n*.log\nnotebooks/\n__pycache__/\n")
    (root / "requirements.txt").write_text("scikit-learn\npandas\njoblib\n")
    (root / "batch_driver.py").write_text(BATCH_DRIVER)
    batch = root / "batch-data"
    batch.mkdir()
    iris = load_iris(as_frame=True).data
    iris.iloc[:5].to_csv(batch / "part-1.csv", index=False)
    iris.iloc[100:103].to_csv(batch / "part-2.csv", index=False)
    files = {
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        ".venv/lib/python3.11/site-packages/big.py": "x = 1\n" * 50_000,
        ".git/HEAD": "ref: refs/heads/main\n",
        ".git/objects/ab/cdef": "packed history",
        ".scorehost/container_instance.keys.json": '{"primary": "secret-key"}',
        "data/raw.csv": "a,b\n" * 10_000,
        "training.log": "epoch 1\n",
        "notebooks/explore.ipynb": "{}",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return project
