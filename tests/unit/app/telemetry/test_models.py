"""Model ids from Azure ML's registered-model layout, as its server reports them."""

from pathlib import Path

from scorehost.app.telemetry.models import model_ids


def test_one_registered_model(tmp_path: Path) -> None:
    version = tmp_path / "azureml-models" / "sklearn_mnist" / "3"
    version.mkdir(parents=True)
    assert model_ids(version) == ["sklearn_mnist:3"]


def test_several_registered_models(tmp_path: Path) -> None:
    root = tmp_path / "azureml-models"
    for name, version in (("b", "1"), ("a", "2"), ("a", "1")):
        (root / name / version).mkdir(parents=True)
    (root / "a" / "notes").mkdir()
    assert model_ids(root) == ["a:1", "a:2", "b:1"]


def test_any_other_folder_names_no_model(tmp_path: Path) -> None:
    assert model_ids(tmp_path) == []
    assert model_ids(None) == []
    assert model_ids(tmp_path / "missing") == []
