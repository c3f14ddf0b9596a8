"""Where telemetry goes, from the switches users already set."""

from pathlib import Path

import pytest

from scorehost.app.settings import Settings
from scorehost.app.telemetry.destinations import ConnectionStringProblem, destinations

KEY = "00000000-0000-4000-8000-000000000001"


@pytest.fixture(autouse=True)
def _no_telemetry_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "AML_APP_INSIGHTS_ENABLED",
        "AML_APP_INSIGHTS_KEY",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ):
        monkeypatch.delenv(name, raising=False)


def test_nothing_set_sends_nothing() -> None:
    assert not destinations(Settings()).any


def test_todays_connection_string(monkeypatch: pytest.MonkeyPatch) -> None:
    text = f"InstrumentationKey={KEY};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/"
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING", text)
    assert destinations(Settings()).azure_connection_string == text


def test_azure_mls_switch_and_key_as_enable_app_insights_sets_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AML_APP_INSIGHTS_ENABLED", "true")
    monkeypatch.setenv("AML_APP_INSIGHTS_KEY", KEY)
    assert destinations(Settings()).azure_connection_string == f"InstrumentationKey={KEY}"


def test_a_key_without_the_switch_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AML_APP_INSIGHTS_KEY", KEY)
    assert not destinations(Settings()).any


def test_otlp_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    where = destinations(Settings())
    assert (where.azure_connection_string, where.otlp_endpoint) == (None, "http://collector:4318")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("IngestionEndpoint=https://x/", "it has no InstrumentationKey=<GUID> part"),
        ("InstrumentationKey=not-a-guid", "its InstrumentationKey is not a GUID"),
    ],
)
def test_a_connection_string_that_cannot_work_says_why(
    monkeypatch: pytest.MonkeyPatch, text: str, problem: str
) -> None:
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING", text)
    with pytest.raises(ConnectionStringProblem, match=problem):
        destinations(Settings())


def test_a_mounted_secret_file_wins_and_a_missing_one_is_off(tmp_path: Path) -> None:
    secret = tmp_path / "connection-string"
    missing = destinations(Settings(app_insights_connection_string_file=secret))
    assert not missing.any  # the optional secret was not created
    secret.write_text(f"InstrumentationKey={KEY}\n")
    found = destinations(Settings(app_insights_connection_string_file=secret))
    assert found.azure_connection_string == f"InstrumentationKey={KEY}"
