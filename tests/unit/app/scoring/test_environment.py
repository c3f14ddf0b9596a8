"""The variables and import paths the script gets, as under Azure ML's server."""

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from scorehost.app.scoring.environment import import_paths, script_environment, warn_about_model_dir
from scorehost.app.settings import Settings

GUID = "12345678-1234-1234-1234-123456789abc"


def test_the_exported_variables(tmp_path: Path) -> None:
    settings = Settings(
        entry_script=Path("score.py"), app_root=tmp_path, model_dir=tmp_path, workers=2
    )
    assert script_environment(settings) == {
        "AML_APP_ROOT": str(tmp_path),
        "AZUREML_ENTRY_SCRIPT": str(tmp_path / "score.py"),
        "AZUREML_MODEL_DIR": str(tmp_path),
        "WORKER_COUNT": "2",
        "AML_APP_INSIGHTS_ENABLED": "false",
    }


@pytest.mark.parametrize(
    ("enabled", "key", "exported"),
    [(True, GUID, "true"), (True, "not-a-guid", "false"), (False, GUID, "false")],
)
def test_app_insights_is_on_only_with_a_guid_key(enabled: bool, key: str, exported: str) -> None:
    settings = Settings(app_insights_enabled=enabled, app_insights_key=SecretStr(key))
    environment = script_environment(settings)
    assert environment["AML_APP_INSIGHTS_ENABLED"] == exported
    assert environment["AML_APP_INSIGHTS_KEY"] == key


def test_the_app_root_and_source_directory_are_importable(tmp_path: Path) -> None:
    settings = Settings(app_root=tmp_path, source_dir=Path("src"))
    assert import_paths(settings) == [tmp_path, tmp_path / "src"]


def test_a_missing_model_folder_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "scorehost"):
        warn_about_model_dir(Settings(model_dir=tmp_path / "gone"))
    assert "does not exist; init() fails if it reads it" in caplog.text
