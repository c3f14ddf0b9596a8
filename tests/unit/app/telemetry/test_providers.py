"""Telemetry starts only when configured; what stops it is one warning, and serving goes on."""

import sys

import pytest

from scorehost.app.settings import Settings
from scorehost.app.telemetry import providers
from scorehost.app.telemetry.middleware import not_traced

CONNECTION = (
    "InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://127.0.0.1:9/"
)


def test_without_a_destination_nothing_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APPLICATIONINSIGHTS_CONNECTION_STRING", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert providers.start(Settings()) is None


def test_a_bad_connection_string_is_a_startup_warning(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(app_insights_connection_string="InstrumentationKey=nope")
    assert providers.start(settings) is None
    assert caplog.messages == [
        "Telemetry is off: the Application Insights connection string cannot be used: its "
        "InstrumentationKey is not a GUID (copy it from the resource's Overview page in the "
        "Azure portal)"
    ]


def test_without_the_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk._logs", None)  # as if not installed
    assert providers.start(Settings(app_insights_connection_string=CONNECTION)) is None
    (message,) = caplog.messages
    assert message.startswith(
        f"Telemetry is off: it needs opentelemetry.sdk._logs, which is not installed for "
        f"{sys.executable}: pip install 'scorehost[telemetry]'"
    )


def test_only_scoring_calls_are_traced() -> None:
    traced = [
        path
        for path in ("/score", "/", "/health/ready", "/metrics", "/docs")
        if not not_traced({"type": "http", "path": path})
    ]
    assert traced == ["/score"]
