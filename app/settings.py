"""Every setting the server reads, in one place: CLI flags, SCOREHOST_* and Azure ML's names."""

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORT = 5001  # Azure ML's DOCKER_IMAGE_HTTP_PORT


def _env(name: str, *azure_names: str) -> AliasChoices:
    # Our own name wins; Azure ML's names are accepted so an Azure image config works unchanged.
    return AliasChoices(f"SCOREHOST_{name}", *azure_names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore")

    entry_script: Path = Field(
        Path("score.py"), validation_alias=_env("ENTRY_SCRIPT", "AZUREML_ENTRY_SCRIPT")
    )
    """The score.py defining init() and run(); relative paths are under app_root."""

    model_dir: Path | None = Field(None, validation_alias=_env("MODEL_DIR", "AZUREML_MODEL_DIR"))
    """Folder exported to init() as $AZUREML_MODEL_DIR; unset leaves the variable as it is."""

    app_root: Path = Field(Path(), validation_alias=_env("APP_ROOT", "AML_APP_ROOT"))
    """Base folder for a relative entry_script (Azure ML uses /var/azureml-app)."""

    host: str = Field("127.0.0.1", validation_alias=_env("HOST"))
    """Address to listen on; use 0.0.0.0 inside a container."""

    port: int = Field(DEFAULT_PORT, ge=0, le=65535, validation_alias=_env("PORT"))
    """TCP port (Azure ML's is 5001)."""

    workers: int = Field(1, ge=1, le=64, validation_alias=_env("WORKERS", "WORKER_COUNT"))
    """Worker processes; each loads the script and calls init() once."""

    scoring_timeout_ms: int = Field(
        60_000, gt=0, validation_alias=_env("SCORING_TIMEOUT_MS", "SCORING_TIMEOUT_MS")
    )
    """Longest a request may wait for and run run(); past it the caller gets 504."""

    max_concurrent_runs: int = Field(1, ge=1, le=256, validation_alias=_env("MAX_CONCURRENT_RUNS"))
    """run() calls one worker makes at once; 1 because most score.py files are not thread-safe."""

    max_body_bytes: int = Field(128 * 1024 * 1024, gt=0, validation_alias=_env("MAX_BODY_BYTES"))
    """Largest request body accepted (413 beyond); the 10,000-row MNIST request is ~61 MB."""

    debug: bool = Field(False, validation_alias=_env("DEBUG"))
    """Put tracebacks of failing run() calls into error responses (never in production)."""

    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", validation_alias=_env("LOG_LEVEL")
    )
    """Server log level."""

    graceful_timeout_s: float = Field(20.0, ge=0, validation_alias=_env("GRACEFUL_TIMEOUT_S"))
    """On SIGTERM, how long in-flight requests get to finish before workers are stopped."""

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @property
    def entry_script_path(self) -> Path:
        return (self.app_root / self.entry_script).resolve()

    @classmethod
    def names_of(cls, field: str) -> list[str]:
        """The environment variables that set `field`, ours first."""
        alias = cls.model_fields[field].validation_alias
        return [str(name) for name in alias.choices] if isinstance(alias, AliasChoices) else []
