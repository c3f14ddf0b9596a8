"""`from azureml.core.model import Model` for `Model.get_model_path(name)` in a slim image.

Scripts written for Azure ML v1 (MachineLearningNotebooks' deployment samples) find their model
with `Model.get_model_path("sklearn_regression_model.pkl")`. azureml-core answers it in the
container from its local layout alone: `$AML_APP_ROOT/azureml-models/<name>/<version>/<one file or
folder>` (the latest integer version unless one is given), else `./<name>`. Without azureml-core
installed, this module answers by the same rules, looking first under `AZUREML_MODEL_DIR` (where
scorehost puts a model folder, and where Azure ML v1 points it: `azureml-models/<name>/<version>`
for one model, `azureml-models` for several), so such a script runs unmodified beside a plain
model folder. Only the name-and-version lookup is offered: a workspace (`_workspace=`) means
azureml-core, which must then be installed."""

import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MODELS_FOLDER = "azureml-models"  # azureml-core's, under AML_APP_ROOT


class WebserviceException(Exception):
    """azureml.exceptions.WebserviceException's role: a lookup that cannot be made."""


class ModelNotFoundException(WebserviceException):
    """azureml.exceptions.ModelNotFoundException's role: nothing of that name was found."""


def _roots() -> list[Path]:
    roots = []
    model_dir = os.environ.get("AZUREML_MODEL_DIR")
    if model_dir:
        roots.append(Path(model_dir))
    roots.append(Path(os.environ.get("AML_APP_ROOT", "")) / MODELS_FOLDER)
    return roots


def _versioned(folder: Path, version: int | None) -> Path | None:
    """`<name>/<version>/<the one entry>` as azureml-core lays out registered models."""
    versions = [entry.name for entry in folder.iterdir() if entry.is_dir()]
    if not versions or not all(name.isdigit() for name in versions):
        return None
    chosen = folder / str(version if version is not None else max(int(v) for v in versions))
    if not chosen.is_dir():
        return None
    entries = sorted(chosen.iterdir())
    if len(entries) != 1:
        raise WebserviceException(
            f"Dir {chosen} can contain only 1 file or folder. Found {[e.name for e in entries]}"
        )
    return entries[0]


class Model:
    """The part of azureml.core.model.Model a scoring script uses inside its container."""

    @staticmethod
    def get_model_path(model_name: str, version: int | None = None, _workspace: Any = None) -> str:
        if _workspace is not None:
            raise WebserviceException(
                "Model.get_model_path(_workspace=...) downloads from a workspace: install "
                "azureml-core for that (scorehost answers only the local lookup)"
            )
        if version is not None and not isinstance(version, int):
            raise WebserviceException("version should be an int")
        if not model_name:
            raise WebserviceException("model_name is None")
        roots = _roots()
        for root in roots:
            candidate = root / model_name
            if candidate.is_dir():
                found = _versioned(candidate, version)
                if found is not None:
                    return str(found)
            if candidate.exists() and version is None:
                return str(candidate)
        if Path(model_name).exists():
            return model_name
        looked = ", ".join(str(root) for root in roots)
        raise ModelNotFoundException(
            f"Model {model_name}{f' version {version}' if version is not None else ''} not found "
            f"in {looked} or in the current folder {Path.cwd()}"
        )
