"""Score a handwritten digit sent as an image, Azure ML's raw-HTTP way (@rawhttp).

POST the picture as a multipart upload named `image` (curl -F image=@digit.png) or as the whole
body (curl --data-binary @digit.png -H 'Content-Type: image/png'); the answer is
{"digit": N}. Runs unchanged under Azure ML's own server.
"""

import io
import os

import joblib
import numpy as np
from azureml.contrib.services.aml_request import AMLRequest, rawhttp
from azureml.contrib.services.aml_response import AMLResponse
from PIL import Image, UnidentifiedImageError

# A photo of a digit is far smaller; decoding 13000x13000 RGBA would take 700 MB.
MAX_PIXELS = 4_000_000


def init():
    global model
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "sklearn_mnist_model.pkl"))


def _error(message, status):
    return AMLResponse({"error": message}, status, json_str=True)


@rawhttp
def run(request: AMLRequest):
    if request.method != "POST":
        return _error("POST an image of a digit (multipart field 'image', or the raw body).", 405)
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("image")
        data = upload.read() if upload is not None else b""
    else:  # the picture is the body, whatever Content-Type says (curl -d sends a form type)
        data = request.get_data()
    if not data:
        return _error("The request has no image: send one as field 'image' or as the body.", 400)
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only: nothing decoded yet
        width, height = image.size
        if width * height > MAX_PIXELS:  # a small file can declare a huge picture
            return _error(
                f"The image is {width}x{height} pixels; send a picture of a digit under "
                f"{MAX_PIXELS // 1_000_000} megapixels.",
                413,
            )
        image = image.convert("L").resize((28, 28))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        return _error(f"The body is not an image Pillow can read: {exc}", 415)
    pixels = np.asarray(image, dtype=np.float64).reshape(1, 784) / 255.0
    if np.median(pixels) > 0.5:
        pixels = 1.0 - pixels  # MNIST digits are light on dark; a scan is dark on light
    return AMLResponse({"digit": int(model.predict(pixels)[0])}, 200, json_str=True)
