"""What the script's process sees, as under Azure ML's server: the variables it exports and the
folders it puts on sys.path."""

import logging
import re
from pathlib import Path

from scorehost.app.settings import Settings

log = logging.getLogger("scorehost")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def is_instrumentation_key(key: str) -> bool:
    """Application Insights' keys are GUIDs."""
    return bool(_UUID.fullmatch(key.strip()))


def app_insights_enabled(settings: Settings) -> bool:
    """On only when asked for with an instrumentation key that is a GUID, as Azure ML decides."""
    key = settings.app_insights_key
    return (
        settings.app_insights_enabled
        and key is not None
        and is_instrumentation_key(key.get_secret_value())
    )


def script_environment(settings: Settings) -> dict[str, str]:
    """The variables Azure ML's server exports to score.py (AZUREML_MODEL_DIR only when set)."""
    environment = {
        "AML_APP_ROOT": str(settings.app_root.resolve()),
        "AZUREML_ENTRY_SCRIPT": str(settings.entry_script_path),
        "WORKER_COUNT": str(settings.workers),
        "AML_APP_INSIGHTS_ENABLED": "true" if app_insights_enabled(settings) else "false",
    }
    if settings.model_dir is not None:
        environment["AZUREML_MODEL_DIR"] = str(settings.model_dir)
    if settings.app_insights_key is not None:
        environment["AML_APP_INSIGHTS_KEY"] = settings.app_insights_key.get_secret_value()
    return environment


def import_paths(settings: Settings) -> list[Path]:
    """Folders after the script's own on sys.path: the app root, and AZUREML_SOURCE_DIRECTORY."""
    paths = [settings.app_root.resolve()]
    if settings.source_dir_path is not None:
        paths.append(settings.source_dir_path)
    return paths


def warn_about_model_dir(settings: Settings) -> None:
    if settings.model_dir is not None and not settings.model_dir.is_dir():
        log.warning(
            "Model folder %s (AZUREML_MODEL_DIR) does not exist; init() fails if it reads it",
            settings.model_dir,
        )
