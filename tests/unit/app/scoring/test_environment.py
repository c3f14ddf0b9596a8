"""The variables and import paths a served script gets, as under Azure ML's server."""

from pathlib import Path

import pytest
from pydantic import SecretStr

from scorehost.app.scoring.environment import script_spec
from scorehost.app.settings import Settings

GUID = "12345678-1234-1234-1234-123456789abc"


def test_the_exported_variables(tmp_path: Path) -> None:
    settings = Settings(
        entry_script=Path("score.py"), app_root=tmp_path, model_dir=tmp_path, workers="auto"
    )
    # WORKER_COUNT is how many workers started: for auto, what the CPUs allowed
    assert script_spec(settings, workers=2).exported() == {
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
    environment = script_spec(settings, 1).exported()
    assert environment["AML_APP_INSIGHTS_ENABLED"] == exported
    assert environment["AML_APP_INSIGHTS_KEY"] == key


def test_the_app_root_and_source_directory_are_importable(tmp_path: Path) -> None:
    settings = Settings(app_root=tmp_path, source_dir=Path("src"))
    assert script_spec(settings, 1).import_paths() == [tmp_path, tmp_path / "src"]


def test_model_pins_go_with_the_script(tmp_path: Path) -> None:
    settings = Settings(model_dir=tmp_path, model_sha256=f"model.pkl={'a' * 64}")
    assert script_spec(settings, 1).pins == {"model.pkl": "a" * 64}
