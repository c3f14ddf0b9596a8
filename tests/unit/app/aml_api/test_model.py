"""`Model.get_model_path(name)` as azureml-core answers it inside a container, for v1 scripts
(MachineLearningNotebooks, how-to-use-azureml/deployment/deploy-to-cloud/score.py: the model by
its registered name) served where azureml-core is not installed."""

from pathlib import Path

import pytest

from scorehost.app.aml_api import aliases
from scorehost.app.aml_api.model import Model, ModelNotFoundException, WebserviceException


@pytest.fixture
def model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(folder))
    monkeypatch.setenv("AML_APP_ROOT", str(tmp_path / "app"))
    monkeypatch.chdir(tmp_path)
    return folder


def test_a_model_file_in_the_model_folder_is_found_by_its_name(model_dir: Path) -> None:
    (model_dir / "sklearn_regression_model.pkl").write_bytes(b"model")
    assert Model.get_model_path("sklearn_regression_model.pkl") == str(
        model_dir / "sklearn_regression_model.pkl"
    )


def test_azure_ml_v1s_layout_gives_the_latest_version_or_the_one_asked(model_dir: Path) -> None:
    # azureml-models/<name>/<version>/<one file or folder>, AZUREML_MODEL_DIR at azureml-models
    for version in (1, 2, 10):
        folder = model_dir / "churn" / str(version)
        folder.mkdir(parents=True)
        (folder / "churn.joblib").write_bytes(b"v")
    assert Model.get_model_path("churn") == str(model_dir / "churn" / "10" / "churn.joblib")
    assert Model.get_model_path("churn", version=2) == str(model_dir / "churn/2/churn.joblib")


def test_the_app_roots_azureml_models_folder_is_read_as_azureml_core_reads_it(
    model_dir: Path, tmp_path: Path
) -> None:
    registered = tmp_path / "app" / "azureml-models" / "iris" / "3"
    registered.mkdir(parents=True)
    (registered / "iris.pkl").write_bytes(b"m")
    assert Model.get_model_path("iris") == str(registered / "iris.pkl")


def test_a_file_in_the_current_folder_is_the_last_place_looked(
    model_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "local.pkl").write_bytes(b"m")
    assert Model.get_model_path("local.pkl") == "local.pkl"


def test_a_model_that_is_nowhere_names_where_it_was_looked_for(model_dir: Path) -> None:
    with pytest.raises(ModelNotFoundException, match=f"Model missing.pkl not found in {model_dir}"):
        Model.get_model_path("missing.pkl")


def test_a_version_folder_with_two_entries_is_refused_as_azureml_core_does(
    model_dir: Path,
) -> None:
    folder = model_dir / "two" / "1"
    folder.mkdir(parents=True)
    (folder / "a.pkl").write_bytes(b"a")
    (folder / "b.pkl").write_bytes(b"b")
    with pytest.raises(WebserviceException, match="can contain only 1 file or folder"):
        Model.get_model_path("two")


def test_a_workspace_lookup_needs_azureml_core(model_dir: Path) -> None:
    with pytest.raises(WebserviceException, match="install azureml-core"):
        Model.get_model_path("x", _workspace=object())


def test_the_finder_answers_azureml_core_model_only_after_every_other_finder() -> None:
    finder = aliases.AzureMLAliasFinder()
    spec = finder.find_spec("azureml.core.model", None)
    assert spec is not None and spec.name == "azureml.core.model"
    # installed last on sys.meta_path: where azureml-core is installed (this venv), it wins
    import azureml.core.model

    assert "site-packages" in str(azureml.core.model.__file__)
