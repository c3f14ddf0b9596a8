"""A JSON file of settings under Azure ML's names (`azmlinfsrv --config_file`, or
$AZUREML_CONFIG_FILE), read as a settings source below the flags and the environment."""

import json
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import InitSettingsSource, PydanticBaseSettingsSource

CONFIG_FILE_ENV = "AZUREML_CONFIG_FILE"


class ConfigFileError(ValueError):
    """The config file cannot be read as a JSON object of settings; the message says why."""


def read_config_file(path: Path) -> dict[str, Any]:
    """A JSON object of settings (Azure ML's names or ours), or ConfigFileError saying why not."""
    try:
        text = path.read_bytes().decode("utf-8")
        values = json.loads(text)
    except IsADirectoryError:
        raise ConfigFileError(f"config file {path} is a folder, not a JSON file") from None
    except FileNotFoundError:
        raise ConfigFileError(f"config file {path} not found") from None
    except OSError as exc:
        raise ConfigFileError(f"config file {path} cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigFileError(f"config file {path} is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ConfigFileError(
            f"config file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}"
        ) from None
    if not isinstance(values, dict):
        raise ConfigFileError(
            f"config file {path} holds a JSON {type(values).__name__}; it must hold an object "
            'of settings such as {"SCORING_TIMEOUT_MS": 5000}'
        )
    return values


class ConfigFileSource(PydanticBaseSettingsSource):
    """The config file that a source above names (its flag or variable), below them all."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is read at once, in __call__

    def __call__(self) -> dict[str, Any]:
        names = {"config_file", "scorehost_config_file", CONFIG_FILE_ENV.lower()}
        given = [value for key, value in self.current_state.items() if key.lower() in names]
        if not given or not given[0]:
            return {}
        return InitSettingsSource(self.settings_cls, read_config_file(Path(given[0])))()
