"""Settings of the Azure ML v1 web services (aci.toml, aks.toml), the checks every deploy
target's settings share, and loading a TOML file with command-line overrides on top."""

import ast
import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

ACI_MAX_CPU = 4  # per container group in most regions
ACI_MAX_MEMORY_GB = 16
_SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")  # Azure ML's rule, 3-32 chars
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")  # ACI: 5-63 chars
_LOCATION = re.compile(r"^[a-z][a-z0-9]+$")  # e.g. eastus, westeurope
_PINNED = re.compile(r"^[a-z0-9][-a-z0-9.]*(:[0-9]+)?/[-a-z0-9._/]+@sha256:[0-9a-f]{64}$")
_REGISTRY = re.compile(r"^[a-z0-9][-a-z0-9.]*(:[0-9]+)?$")  # a login server, no scheme


class ConfigError(ValueError):
    """A setting is invalid; the message names the field. Exit code 2."""


def check_dns_label(value: str | None) -> str | None:
    if value is not None and (not 5 <= len(value) <= 63 or not _DNS_LABEL.match(value)):
        raise ValueError("5-63 lowercase letters, digits and dashes, starting with a letter")
    return value


def check_location(value: str | None) -> str | None:
    if value is not None and not _LOCATION.match(value):
        raise ValueError("an Azure region name such as eastus or westeurope")
    return value


def check_registry(value: str | None) -> str | None:
    if value is not None and not _REGISTRY.match(value):
        raise ValueError(f"{value!r} is not a registry login server such as myacr.azurecr.io")
    return value


def pinned_image(value: str) -> str:
    """`registry/repo@sha256:<64 hex>`; a message a person can act on otherwise."""
    if "@sha256:" in value and not _PINNED.match(value):
        raise ValueError(f"{value!r} is not registry/repository@sha256:<64 hex digits>")
    return value


class WebserviceConfig(BaseModel):
    """What every Azure ML v1 web service (ACI or AKS) takes: the image, the script, the name."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    service_name: str = "sklearn-mnist-svc"
    """Web service name in the workspace."""
    auth_enabled: bool = False
    """Require `Authorization: Bearer <key>` (keys from `status`, masked)."""
    tags: dict[str, str] = Field(default_factory=lambda: {"data": "MNIST", "method": "sklearn"})
    """Tags on the service."""
    description: str = "Predict MNIST with sklearn"
    """Service description."""
    image: str = "scorehost:latest"
    """Local image to push, or a registry reference with @sha256:... to deploy as it is."""
    repository: str = "scorehost"
    """Repository in the workspace's registry."""
    entry_script: Path = Path("examples/mnist/score.py")
    """The score.py inside the image; Azure ML requires it in the inference config too."""
    model_file: Path | None = None
    """Register this model file and mount it; None: the model baked into the image."""
    model_name: str = "sklearn_mnist"
    """Registered model name (with model_file)."""
    azure_inference_stack: bool = False
    """Let Azure ML add its own inference server instead of the image's (fallback)."""
    overwrite: bool = True
    """Replace a service of the same name."""
    timeout_s: int = Field(1800, gt=0)
    """How long to wait for the deployment."""

    @field_validator("service_name")
    @classmethod
    def _service_name(cls, value: str) -> str:
        if not 3 <= len(value) <= 32 or not _SERVICE_NAME.match(value):
            raise ValueError(
                "3-32 characters: lowercase letters, digits and dashes, starting with a letter "
                "and not ending with a dash"
            )
        return value

    @field_validator("entry_script")
    @classmethod
    def _entry_script(cls, value: Path) -> Path:
        if value.suffix != ".py":
            raise ValueError(f"{value} must be a .py file")
        if not value.is_file():
            raise ValueError(f"{value} does not exist")
        try:
            ast.parse(value.read_bytes(), filename=str(value))
        except SyntaxError as exc:
            raise ValueError(f"{value} line {exc.lineno}: {exc.msg}") from None
        return value

    @field_validator("model_file")
    @classmethod
    def _model_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} does not exist")
        return value

    @property
    def image_is_pinned(self) -> bool:
        return "@sha256:" in self.image


class AciConfig(WebserviceConfig):
    """An Azure ML v1 ACI web service: one container group."""

    cpu_cores: float = Field(1.0, gt=0, le=ACI_MAX_CPU)
    """CPU cores for the container (ACI allows up to 4)."""
    memory_gb: float = Field(1.0, gt=0, le=ACI_MAX_MEMORY_GB)
    """Memory in GB (ACI allows up to 16)."""
    location: str | None = None
    """Azure region; default: the workspace's."""
    dns_name_label: str | None = None
    """Public DNS label: http://<label>.<region>.azurecontainer.io."""

    _dns_label = field_validator("dns_name_label")(staticmethod(check_dns_label))
    _location = field_validator("location")(staticmethod(check_location))


class AksConfig(WebserviceConfig):
    """An Azure ML v1 AKS web service on an attached cluster: replicas, or autoscale."""

    compute_target: str = "aks-cluster"
    """Name of the AKS cluster attached to the workspace (AksCompute)."""
    cpu_cores: float = Field(2.0, gt=0, le=64)
    """CPU cores each replica requests (one scorehost worker per core)."""
    memory_gb: float = Field(2.0, gt=0, le=256)
    """Memory in GB each replica requests."""
    num_replicas: int | None = Field(None, ge=1, le=100)
    """A fixed number of replicas; leave unset with autoscale_enabled."""
    autoscale_enabled: bool = True
    """Let Azure ML's autoscaler move replicas between the two bounds below."""
    autoscale_min_replicas: int = Field(2, ge=1, le=100)
    autoscale_max_replicas: int = Field(10, ge=1, le=100)
    autoscale_target_utilization: int = Field(70, ge=1, le=100)
    """Percent of replica_max_concurrent_requests in use at which replicas are added."""
    autoscale_refresh_seconds: int = Field(10, ge=1)
    replica_max_concurrent_requests: int = Field(8, ge=1, le=1000)
    """Requests Azure's router sends one replica at once."""
    scoring_timeout_ms: int = Field(60_000, ge=1_000, le=300_000)
    """Azure's per-request timeout."""
    namespace: str | None = None
    """Kubernetes namespace (default: Azure ML's)."""

    @model_validator(mode="after")
    def _scale(self) -> "AksConfig":
        if self.autoscale_enabled and self.num_replicas is not None:
            raise ValueError("num_replicas: fixed replicas and autoscale_enabled exclude each "
                             "other; unset one (--no-autoscale-enabled)")  # fmt: skip
        if self.autoscale_min_replicas > self.autoscale_max_replicas:
            raise ValueError(f"autoscale_min_replicas ({self.autoscale_min_replicas}) is above "
                             f"autoscale_max_replicas ({self.autoscale_max_replicas})")  # fmt: skip
        return self

    @property
    def workers(self) -> int:
        return max(1, int(self.cpu_cores))


Config = TypeVar("Config", bound=BaseModel)


def load_config(
    path: Path | None,
    overrides: dict[str, Any],
    model: type[Config] = AciConfig,  # type: ignore[assignment]
) -> Config:
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    values.update({key: value for key, value in overrides.items() if value is not None})
    try:
        return model(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or 'config'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(problems) from None
