"""The tutorial's model behind Azure ML's typed contract (inference-schema).

The server parses the body once, builds the numpy array straight from it (or reads a .npy
body), checks its shape against the sample, and calls run(data=<ndarray>). The OpenAPI document
and /swagger.json show the schema with the samples.
"""

import os

import joblib
import numpy as np
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.schema_decorators import input_schema, output_schema


def init():
    global model
    model = joblib.load(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "sklearn_mnist_model.pkl"))


@input_schema("data", NumpyParameterType(np.zeros((1, 784), dtype=np.float64)))
@output_schema(NumpyParameterType(np.array([7], dtype=np.int64)))
def run(data):
    # a list: Azure ML's server cannot send a numpy array (scorehost can, either way)
    return model.predict(data).tolist()
