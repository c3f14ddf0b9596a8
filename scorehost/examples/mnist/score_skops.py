"""The tutorial's score.py, loading a skops file instead of a pickle.

joblib/pickle files run arbitrary code when loaded: anyone who can replace the model file can
run code in the server. skops.io.load rebuilds only types it trusts (scikit-learn's estimators,
numpy arrays) and refuses anything else. Make the file with `scorehost train --format skops`.
"""

import json
import os

import numpy as np
import skops.io


def init():
    global model
    path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "sklearn_mnist_model.skops")
    # No `trusted=` list: only the types skops trusts by default may appear in the file.
    model = skops.io.load(path)


def run(raw_data):
    data = np.array(json.loads(raw_data)["data"])
    return model.predict(data).tolist()
