"""What $AZUREML_MODEL_DIR shows a script. `folder`: the model folder itself (Azure ML v1's
single model; `scorehost serve`'s default). `registered`: a folder holding the model folder
under its own name, as Azure ML v2 mounts a model registered from a folder (Microsoft's batch
and online scripts read os.path.join(AZUREML_MODEL_DIR, "model", ...) for a folder named
`model`): the files are linked, not copied, into real folders so globs find them."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Literal

ModelLayout = Literal["folder", "registered"]


def mounted(model_dir: Path, layout: ModelLayout) -> Path:
    """The folder to export as AZUREML_MODEL_DIR for `model_dir` in `layout` (made, for
    `registered`, in this process's temporary folder and removed at its exit)."""
    if layout == "folder" or not model_dir.is_dir():
        return model_dir
    root = Path(tempfile.mkdtemp(prefix="scorehost-models-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    source = model_dir.resolve()
    target = root / source.name
    for folder, _, files in os.walk(source):
        mirror = target / Path(folder).relative_to(source)
        mirror.mkdir(parents=True, exist_ok=True)
        for name in files:
            (mirror / name).symlink_to(Path(folder) / name)
    return root
