"""Where telemetry goes, from the settings users already set: Application Insights'
connection string (today's form), Azure ML's AML_APP_INSIGHTS_ENABLED + AML_APP_INSIGHTS_KEY
(what `enable_app_insights=True` sets), or an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT)."""

from dataclasses import dataclass
from pathlib import Path

from scorehost.app.scoring.environment import is_instrumentation_key
from scorehost.app.settings import Settings


class ConnectionStringProblem(ValueError):
    """The connection string cannot be used; the message says why (a startup warning)."""


@dataclass(frozen=True)
class Destinations:
    azure_connection_string: str | None
    otlp_endpoint: str | None

    @property
    def any(self) -> bool:
        return self.azure_connection_string is not None or self.otlp_endpoint is not None


def check_connection_string(text: str) -> str:
    """`InstrumentationKey=<GUID>;IngestionEndpoint=...`: the key must be there and a GUID."""
    parts = dict(part.split("=", 1) for part in text.strip().strip(";").split(";") if "=" in part)
    key = {name.lower(): value for name, value in parts.items()}.get("instrumentationkey")
    if key is None:
        raise ConnectionStringProblem("it has no InstrumentationKey=<GUID> part")
    if not is_instrumentation_key(key):
        raise ConnectionStringProblem("its InstrumentationKey is not a GUID")
    return text.strip()


def _from_file(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None  # an optional secret that was not created: no telemetry, as intended
    except OSError as exc:
        raise ConnectionStringProblem(f"in {path} cannot be read: {exc.strerror}") from None
    return text or None


def destinations(settings: Settings) -> Destinations:
    """Raises ConnectionStringProblem for a connection string or key that cannot work."""
    connection_string = None
    from_file = (
        _from_file(settings.app_insights_connection_string_file)
        if settings.app_insights_connection_string_file is not None
        else None
    )
    if from_file is not None:
        connection_string = check_connection_string(from_file)
    elif settings.app_insights_connection_string is not None:
        connection_string = check_connection_string(
            settings.app_insights_connection_string.get_secret_value()
        )
    elif settings.app_insights_enabled and settings.app_insights_key is not None:
        connection_string = check_connection_string(
            f"InstrumentationKey={settings.app_insights_key.get_secret_value()}"
        )
    return Destinations(connection_string, settings.otlp_endpoint)
