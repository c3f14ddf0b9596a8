"""The tutorial's model with Azure ML's batch contract: init() once per worker, run(mini_batch)
on a list of image paths (PNG digits) or on a pandas DataFrame of pixel rows (an IDX file).

    scorehost batch --entry-script score_batch.py --model-dir models/mnist \\
        --input digits/ --output out/
"""

import os
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from PIL import Image


def init():
    global model
    # AZUREML_MODEL_DIR is the model folder itself (scorehost batch, Azure ML v1), or holds it
    # under its own name (a batch endpoint's registered folder): find the file in either.
    found = sorted(Path(os.environ["AZUREML_MODEL_DIR"]).rglob("sklearn_mnist_model.pkl"))
    if not found:
        raise FileNotFoundError(
            f"no sklearn_mnist_model.pkl under {os.environ['AZUREML_MODEL_DIR']}"
        )
    model = joblib.load(found[0])


def run(mini_batch):
    if isinstance(mini_batch, pd.DataFrame):  # rows of 784 pixels, 0..255
        return model.predict(mini_batch.to_numpy() / 255.0).tolist()
    pixels = [np.asarray(Image.open(path).convert("L")).ravel() for path in mini_batch]
    labels = model.predict(np.stack(pixels) / 255.0)
    return pd.DataFrame({"file": [Path(path).name for path in mini_batch], "label": labels})
