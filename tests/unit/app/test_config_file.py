"""A JSON config file under Azure ML's names, as `azmlinfsrv --config_file` reads one: below the
environment and the flags, read only when named, refused with what is wrong with it."""

import json
from pathlib import Path

import pytest

from scorehost.app.config_file import ConfigFileError
from scorehost.app.settings import Settings


def _file(tmp_path: Path, values: object) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(values))
    return path


def test_the_file_is_below_the_environment_and_the_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _file(tmp_path, {"SCORING_TIMEOUT_MS": 5000, "WORKER_COUNT": 3, "AML_APP_ROOT": "/a"})
    monkeypatch.setenv("SCORING_TIMEOUT_MS", "6000")
    settings = Settings(config_file=config, workers=2)
    assert (settings.scoring_timeout_ms, settings.workers) == (6000, 2)  # env, then flag
    assert settings.app_root == Path("/a")  # only the file says it


def test_the_environment_can_name_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZUREML_CONFIG_FILE", str(_file(tmp_path, {"WORKER_COUNT": 4})))
    assert Settings().workers == 4


def test_a_file_that_is_not_an_object_of_settings_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="holds a JSON list"):
        Settings(config_file=_file(tmp_path, [1, 2]))
    with pytest.raises(ConfigFileError, match="not found"):
        Settings(config_file=tmp_path / "missing.json")
