"""The example scripts, shipped with the package: the tutorial's MNIST score.py (what `make serve`
serves and the deploy commands deploy unless told otherwise) and its sample request, the typed and
skops variants, and an image-upload script."""

from pathlib import Path

_HERE = Path(__file__).parent
TUTORIAL_SCRIPT = _HERE / "mnist" / "score.py"
TUTORIAL_SAMPLE = _HERE / "mnist" / "sample.json"
