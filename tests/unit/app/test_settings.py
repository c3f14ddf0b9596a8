"""Settings: our names and Azure ML's, parsed and checked in one place."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from scorehost.app.settings import Settings


def test_azure_ml_names_configure_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZUREML_ENTRY_SCRIPT", "score.py")
    monkeypatch.setenv("AML_APP_ROOT", "/var/azureml-app")
    monkeypatch.setenv("WORKER_COUNT", "3")
    monkeypatch.setenv("SCORING_TIMEOUT_MS", "1500")
    monkeypatch.setenv("AML_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = Settings()
    assert settings.entry_script_path == Path("/var/azureml-app/score.py")
    assert (settings.workers, settings.scoring_timeout_ms) == (3, 1500)
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


def test_our_names_win_over_azure_ml_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_COUNT", "3")
    monkeypatch.setenv("SCOREHOST_WORKERS", "2")
    assert Settings().workers == 2


def test_model_pins_are_parsed_and_checked() -> None:
    digest = "AB" * 32
    settings = Settings(model_sha256=f"model.pkl={digest}, other.json={'0' * 64}")
    assert settings.model_sha256 == {"model.pkl": digest.lower(), "other.json": "0" * 64}
    with pytest.raises(ValidationError, match="is not FILE=<64 hex digits>"):
        Settings(model_sha256="model.pkl=abc")


def test_secrets_never_show_in_repr() -> None:
    assert "hunter2" not in repr(Settings(primary_key="hunter2"))


def test_log_level_ignores_case_and_bad_values_are_refused() -> None:
    assert Settings(log_level="WARNING").log_level == "warning"
    with pytest.raises(ValidationError):
        Settings(workers=0)
    with pytest.raises(ValidationError):
        Settings(log_format="xml")


def test_names_of_lists_every_variable_for_a_field() -> None:
    assert Settings.names_of("workers") == ["SCOREHOST_WORKERS", "WORKER_COUNT"]
    assert Settings.names_of("host") == ["SCOREHOST_HOST"]


def test_every_field_explains_itself() -> None:
    undocumented = [name for name, info in Settings.model_fields.items() if not info.description]
    assert undocumented == []


def _image_environment() -> dict[str, str]:
    """The ENV of the Dockerfile's final stage: what every container starts with."""
    from tests.paths import ROOT

    final_stage = (ROOT / "Dockerfile").read_text().rsplit("\nFROM ", 1)[1]
    block = final_stage.split("\nENV ", 1)[1].split("\n\n", 1)[0]
    lines = []
    for line in block.replace("\\\n", "\n").splitlines():
        if not line.strip() or line.lstrip().startswith(("WORKDIR", "USER", "EXPOSE", "#")):
            break
        lines.append(line.strip())
    return dict(line.split("=", 1) for line in lines)


@pytest.mark.parametrize(
    ("azure_sets", "script", "model_dir"),
    [
        ({}, "/opt/scorehost/score.py", "/opt/scorehost/model"),
        # Azure ML v1's derived image: the script it copied, relative to its app root
        ({"AZUREML_ENTRY_SCRIPT": "mnist/score.py"}, "/var/azureml-app/mnist/score.py", None),
        (
            {"AZUREML_ENTRY_SCRIPT": "mnist/score.py", "AML_APP_ROOT": "/var/azureml-app"},
            "/var/azureml-app/mnist/score.py",
            None,
        ),
        # our deploy's SCOREHOST_MODEL_DIR (model baked in) wins over Azure's AZUREML_MODEL_DIR
        (
            {
                "AZUREML_MODEL_DIR": "/var/azureml-app/azureml-models/m/1",
                "SCOREHOST_MODEL_DIR": "/opt/scorehost/model",
            },
            None,
            "/opt/scorehost/model",
        ),
        # docker compose with nothing set: its `${VAR:-}` are empty, and empty is unset
        (
            {"SCOREHOST_ENTRY_SCRIPT": "", "SCOREHOST_MODEL_DIR": "", "SCOREHOST_WORKERS": ""},
            "/opt/scorehost/score.py",
            "/opt/scorehost/model",
        ),
        # a registered model: Azure's AZUREML_MODEL_DIR, nothing of ours
        (
            {"AZUREML_MODEL_DIR": "/var/azureml-app/azureml-models/m/1"},
            None,
            "/var/azureml-app/azureml-models/m/1",
        ),
    ],
)
def test_the_image_resolves_azure_ml_variables_one_way(
    monkeypatch: pytest.MonkeyPatch,
    azure_sets: dict[str, str],
    script: str | None,
    model_dir: str | None,
) -> None:
    for name, value in {**_image_environment(), **azure_sets}.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    if script is not None:
        assert settings.entry_script_path == Path(script)
    if model_dir is not None:
        assert settings.model_dir == Path(model_dir)


def test_azure_mls_separate_health_endpoint_opens_its_default_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEPERATE_HEALTH_ENDPOINT", "true")  # sic, Azure ML's server's spelling
    assert Settings().health_listen_port == 5000
    assert Settings(health_port=5005).health_listen_port == 5005
    monkeypatch.delenv("SEPERATE_HEALTH_ENDPOINT")
    assert Settings().health_listen_port is None
