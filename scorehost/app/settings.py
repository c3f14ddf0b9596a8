"""Every setting the server reads, in one place: CLI flags, SCOREHOST_* and Azure ML's names."""

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from scorehost.app.config_file import CONFIG_FILE_ENV, ConfigFileSource
from scorehost.app.cpu import MAX_WORKERS

DEFAULT_PORT = 5001  # Azure ML's DOCKER_IMAGE_HTTP_PORT


AZUREML_HEALTH_PORT = 5000  # azmlinfsrv's DEFAULT_HEALTH_PORT


def _env(name: str, *azure_names: str) -> AliasChoices:
    # Our own name wins; Azure ML's names are accepted so an Azure image config works unchanged.
    return AliasChoices(f"SCOREHOST_{name}", *azure_names)


class Settings(BaseSettings):
    # An empty variable is an unset one: docker compose passes `${VAR:-}` through that way, and
    # the image's own ENV then stands.
    model_config = SettingsConfigDict(
        populate_by_name=True,
        extra="ignore",
        use_attribute_docstrings=True,
        env_ignore_empty=True,
        allow_inf_nan=False,  # SCOREHOST_GRACEFUL_TIMEOUT_S=inf is a mistake to name, not a crash
    )

    entry_script: Path = Field(
        Path("score.py"), validation_alias=_env("ENTRY_SCRIPT", "AZUREML_ENTRY_SCRIPT")
    )
    """The score.py defining init() and run(); relative paths are under app_root."""

    model_dir: Path | None = Field(None, validation_alias=_env("MODEL_DIR", "AZUREML_MODEL_DIR"))
    """Folder exported to init() as $AZUREML_MODEL_DIR; unset leaves the variable as it is."""

    app_root: Path = Field(Path(), validation_alias=_env("APP_ROOT", "AML_APP_ROOT"))
    """Base folder for a relative entry_script (Azure ML uses /var/azureml-app)."""

    source_dir: Path | None = Field(
        None, validation_alias=_env("SOURCE_DIR", "AZUREML_SOURCE_DIRECTORY")
    )
    """A folder under app_root put on sys.path for the script's imports (Azure ML's name)."""

    host: str = Field("127.0.0.1", validation_alias=_env("HOST"))
    """Address to listen on; use 0.0.0.0 inside a container."""

    port: int = Field(DEFAULT_PORT, ge=0, le=65535, validation_alias=_env("PORT"))
    """TCP port (Azure ML's is 5001)."""

    workers: int | Literal["auto"] = Field(1, validation_alias=_env("WORKERS", "WORKER_COUNT"))
    """Worker processes; each loads the script and calls init() once. auto: one per CPU the
    container's quota allows."""

    scoring_timeout_ms: int = Field(
        60_000,
        gt=0,
        le=86_400_000,
        validation_alias=_env("SCORING_TIMEOUT_MS", "SCORING_TIMEOUT_MS"),
    )
    """Longest a request may wait for and run run(); past it the caller gets 504."""

    health_port: int | None = Field(None, ge=1, le=65535, validation_alias=_env("HEALTH_PORT"))
    """A second port answering the same routes, for probes apart from scoring traffic."""

    separate_health_endpoint: bool = Field(
        False, validation_alias=_env("SEPARATE_HEALTH_ENDPOINT", "SEPERATE_HEALTH_ENDPOINT")
    )
    """Azure ML's server's switch (its variable is spelled SEPERATE_HEALTH_ENDPOINT): the health
    routes on a port of their own, --health-port or else 5000."""

    probe_file: Path | None = Field(None, validation_alias=_env("PROBE_FILE"))
    """Where serve writes its health URL once listening, for `python -m scorehost.app.probe`."""

    max_concurrent_runs: int = Field(1, ge=1, le=256, validation_alias=_env("MAX_CONCURRENT_RUNS"))
    """run() calls one worker makes at once; 1 because most score.py files are not thread-safe."""

    max_body_bytes: int | None = Field(
        None,
        gt=0,
        validation_alias=_env("MAX_BODY_BYTES"),
        json_schema_extra={"default_text": "what the memory allows, at most 128 MiB"},
    )
    """Largest request body accepted (413 beyond); the default follows from the memory
    (docs/operations.md has the formula)."""

    memory_limit_bytes: int | None = Field(None, gt=0, validation_alias=_env("MEMORY_LIMIT_BYTES"))
    """Memory the server may use; default: the container's cgroup limit, else the machine's."""

    worker_memory_limit_bytes: int | None = Field(
        None, ge=0, validation_alias=_env("WORKER_MEMORY_LIMIT_BYTES")
    )
    """Resident memory past which a worker is recycled once its requests are answered; 0 never;
    default: its share, (memory x 0.85 - 100 MB) / workers."""

    max_header_bytes: int = Field(64 * 1024, ge=4096, validation_alias=_env("MAX_HEADER_BYTES"))
    """Largest request line plus headers; past it the connection is answered 431 and closed."""

    header_timeout_s: float = Field(
        10.0, gt=0, le=86_400, validation_alias=_env("HEADER_TIMEOUT_S")
    )
    """Longest a connection may take to send a request's headers (or anything at all): 408."""

    max_connections: int = Field(1000, ge=1, validation_alias=_env("MAX_CONNECTIONS"))
    """Open connections per worker past which new requests get 503 (uvicorn's limit)."""

    debug_port: int | None = Field(
        None, ge=1, le=65535, validation_alias=_env("DEBUG_PORT", "AZUREML_DEBUG_PORT")
    )
    """Connect each worker to the debugger listening on this port before init() (debugpy)."""

    reload: bool = Field(False, validation_alias=_env("RELOAD"))
    """Restart the worker when a .py file beside the script or a file of the model dir changes;
    a script that breaks answers 503 with its error until the next edit (development, 1 worker)."""

    debug: bool = Field(False, validation_alias=_env("DEBUG"))
    """Put tracebacks of failing run() calls into error responses (never in production)."""

    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", validation_alias=_env("LOG_LEVEL")
    )
    """Server log level."""

    graceful_timeout_s: float = Field(
        20.0, ge=0, le=86_400, validation_alias=_env("GRACEFUL_TIMEOUT_S")
    )
    """On SIGTERM, how long in-flight requests get to finish before workers are stopped."""

    init_timeout_s: float = Field(600.0, gt=0, le=86_400, validation_alias=_env("INIT_TIMEOUT_S"))
    """Longest init() may take; past it the server stops with exit code 3."""

    body_timeout_s: float = Field(60.0, gt=0, le=86_400, validation_alias=_env("BODY_TIMEOUT_S"))
    """Longest a client may take to send its request body (slow senders get 408)."""

    log_format: Literal["text", "json"] = Field("text", validation_alias=_env("LOG_FORMAT"))
    """`json`: one JSON object per log line, with the request id, for log collectors."""

    primary_key: SecretStr | None = Field(None, validation_alias=_env("PRIMARY_KEY"))
    """API key for POST /score (`Authorization: Bearer <key>`); unset: no key needed."""

    secondary_key: SecretStr | None = Field(None, validation_alias=_env("SECONDARY_KEY"))
    """A second accepted key, so keys can be rotated without downtime."""

    api_keys_file: Path | None = Field(None, validation_alias=_env("API_KEYS_FILE"))
    """File with accepted keys, one per line (e.g. a mounted secret); adds to the two above."""

    app_insights_enabled: bool = Field(
        False, validation_alias=_env("APP_INSIGHTS_ENABLED", "AML_APP_INSIGHTS_ENABLED")
    )
    """Application Insights on (Azure ML's switch); needs app_insights_key, a GUID."""

    app_insights_key: SecretStr | None = Field(
        None, validation_alias=_env("APP_INSIGHTS_KEY", "AML_APP_INSIGHTS_KEY")
    )
    """Application Insights instrumentation key (exported to the script, as by Azure ML)."""

    app_insights_connection_string: SecretStr | None = Field(
        None,
        validation_alias=_env(
            "APP_INSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_CONNECTION_STRING"
        ),
    )
    """Application Insights' connection string; sends requests, exceptions and logs there."""

    app_insights_connection_string_file: Path | None = Field(
        None, validation_alias=_env("APP_INSIGHTS_CONNECTION_STRING_FILE")
    )
    """A file holding the connection string (a mounted secret); a missing file: no telemetry."""

    otlp_endpoint: str | None = Field(
        None, validation_alias=_env("OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    """An OTLP/HTTP collector (http://host:4318): traces, logs and metrics go there too."""

    model_data_collection: bool = Field(
        False, validation_alias=_env("MODEL_DATA_COLLECTION", "AML_MODEL_DC_STORAGE_ENABLED")
    )
    """Send scoring inputs and predictions with the telemetry (off: they may be personal data)."""

    model_data_sample_rate: float = Field(
        1.0, gt=0, le=1, validation_alias=_env("MODEL_DATA_SAMPLE_RATE")
    )
    """The share of scoring calls whose data is collected (0 < rate <= 1)."""

    model_data_max_bytes: int = Field(
        16 * 1024, ge=256, validation_alias=_env("MODEL_DATA_MAX_BYTES")
    )
    """Each collected input and prediction is cut at this many bytes."""

    telemetry_export_timeout_s: float = Field(
        5.0, gt=0, validation_alias=_env("TELEMETRY_EXPORT_TIMEOUT_S")
    )
    """How long one export may wait for the endpoint; the flush on SIGTERM waits twice that."""

    service_name: str = Field("ML service", validation_alias=_env("SERVICE_NAME", "SERVICE_NAME"))
    """The title of /swagger.json (Azure ML sets the service's name)."""

    service_version: str = Field("1.0", validation_alias=_env("SERVICE_VERSION", "SERVICE_VERSION"))
    """The version of /swagger.json."""

    service_path_prefix: str = Field(
        "", validation_alias=_env("SERVICE_PATH_PREFIX", "SERVICE_PATH_PREFIX")
    )
    """A path prefix before every route in /swagger.json (where a proxy adds one)."""

    server_version_header: bool = Field(
        True, validation_alias=_env("SERVER_VERSION_HEADER", "SERVER_VERSION_LOG_RESPONSE_ENABLED")
    )
    """Send `x-ms-server-version: scorehost/<version>` on every response, as Azure ML does."""

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("CORS_ORIGINS", "AML_CORS_ORIGINS")
    )
    """Origins allowed to call from a browser, comma-separated; empty: CORS off."""

    model_sha256: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validation_alias=_env("MODEL_SHA256")
    )
    """Pins: `FILE=SHA256[,FILE=SHA256]`, FILE under model_dir; refuse to start on mismatch."""

    max_batch_size: int = Field(1, ge=1, le=100_000, validation_alias=_env("MAX_BATCH_SIZE"))
    """Typed scripts: merge concurrent requests into one run() of up to this many rows (1: off)."""

    max_batch_wait_ms: float = Field(5.0, ge=0, le=1000, validation_alias=_env("MAX_BATCH_WAIT_MS"))
    """Typed scripts: how long the first request of a batch waits for others."""

    config_file: Path | None = Field(
        None, validation_alias=_env("CONFIG_FILE", CONFIG_FILE_ENV), exclude=True
    )
    """A JSON file of settings under Azure ML's names (AZUREML_ENTRY_SCRIPT, SCORING_TIMEOUT_MS,
    ...), as Azure ML's server reads it; the environment and flags win over it."""

    preload: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["sklearn", "joblib"], validation_alias=_env("PRELOAD")
    )
    """Libraries imported once before workers start (comma-separated); never the user's script."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = (init_settings, env_settings, dotenv_settings, file_secret_settings)
        return (*sources, ConfigFileSource(settings_cls))

    @field_validator("cors_origins", "preload", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("model_sha256", mode="before")
    @classmethod
    def _parse_pins(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        pins = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            name, sep, digest = item.partition("=")
            if not sep or not re.fullmatch(r"[0-9a-fA-F]{64}", digest.strip()):
                raise ValueError(f"{item!r} is not FILE=<64 hex digits>")
            pins[name.strip()] = digest.strip().lower()
        return pins

    @field_validator("workers", mode="plain")
    @classmethod
    def _workers(cls, value: object) -> int | Literal["auto"]:
        """A count from 1 to MAX_WORKERS, or "auto"; one message for anything else."""
        text = str(value).strip()
        if text.lower() == "auto":
            return "auto"
        if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
            raise ValueError(f"give 1 to {MAX_WORKERS} processes, or auto (one per CPU)")
        return int(text)

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @property
    def health_listen_port(self) -> int | None:
        """The second port to open: --health-port, or Azure ML's default 5000 when only
        SEPERATE_HEALTH_ENDPOINT asks for one."""
        if self.health_port is None and self.separate_health_endpoint:
            return AZUREML_HEALTH_PORT
        return self.health_port

    @property
    def entry_script_path(self) -> Path:
        return (self.app_root / self.entry_script).resolve()

    @property
    def source_dir_path(self) -> Path | None:
        """AZUREML_SOURCE_DIRECTORY under the app root, resolved; None when unset."""
        return (self.app_root / self.source_dir).resolve() if self.source_dir else None

    @classmethod
    def names_of(cls, field: str) -> list[str]:
        """The environment variables that set `field`, ours first."""
        alias = cls.model_fields[field].validation_alias
        return [str(name) for name in alias.choices] if isinstance(alias, AliasChoices) else []
