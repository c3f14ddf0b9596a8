"""What a served script sees, as under Azure ML's server: the spec `serve` loads it with (the
variables it exports, the folders it puts on sys.path, the model pins)."""

import re

from scorehost.app.scoring.entry_script import ScriptSpec
from scorehost.app.settings import Settings

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


def script_spec(settings: Settings, workers: int) -> ScriptSpec:
    """The served script, with what Azure ML's server exports beside the common variables
    (WORKER_COUNT: the `workers` started, which for --workers auto the CPUs decided)."""
    environment = {
        "WORKER_COUNT": str(workers),
        "AML_APP_INSIGHTS_ENABLED": "true" if app_insights_enabled(settings) else "false",
    }
    if settings.app_insights_key is not None:
        environment["AML_APP_INSIGHTS_KEY"] = settings.app_insights_key.get_secret_value()
    return ScriptSpec(
        path=settings.entry_script_path,
        model_dir=settings.model_dir,
        app_root=settings.app_root,
        source_dir=settings.source_dir_path,
        pins=settings.model_sha256,
        environment=environment,
    )
