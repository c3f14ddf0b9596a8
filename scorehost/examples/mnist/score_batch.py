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
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "sklearn_mnist_model.pkl"))


def run(mini_batch):
    if isinstance(mini_batch, pd.DataFrame):  # rows of 784 pixels, 0..255
        return model.predict(mini_batch.to_numpy() / 255.0).tolist()
    pixels = [np.asarray(Image.open(path).convert("L")).ravel() for path in mini_batch]
    labels = model.predict(np.stack(pixels) / 255.0)
    return pd.DataFrame({"file": [Path(path).name for path in mini_batch], "label": labels})
