"""Model ids as Azure ML lays out registered models: AZUREML_MODEL_DIR is
`.../azureml-models/<name>/<version>` for one model, or `.../azureml-models` holding
`<name>/<version>/` folders for several."""

from pathlib import Path


def model_ids(model_dir: Path | None) -> list[str]:
    """`name:version` for each registered model found; [] for any other folder."""
    if model_dir is None or not model_dir.is_dir():
        return []
    if model_dir.name.isdigit():
        return [f"{model_dir.parent.name}:{model_dir.name}"]
    return sorted(
        f"{name.name}:{version.name}"
        for name in model_dir.iterdir()
        if name.is_dir()
        for version in name.iterdir()
        if version.is_dir() and version.name.isdigit()
    )
