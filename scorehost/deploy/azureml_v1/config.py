"""Settings of the Azure ML v1 web services: aci.toml and aks.toml, with command-line overrides."""

import ast
import keyword
import re
from pathlib import Path
from typing import ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from scorehost.deploy.shared.config import (
    ACI_MAX_CPU,
    ACI_MAX_MEMORY_GB,
    ImageConfig,
    check_dns_label,
    check_location,
    check_registry,
    check_timeout,
    deploying,
)
from scorehost.deploy.shared.names import asset_name
from scorehost.examples import TUTORIAL_SCRIPT

_SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")  # Azure ML's rule, 3-32 chars


def default_entry_script(folder: Path) -> Path:
    """The project's own score.py where the command runs; the tutorial's when there is none."""
    here = folder / "score.py"
    return here if here.is_file() else TUTORIAL_SCRIPT


class WebserviceConfig(ImageConfig):
    """What every Azure ML v1 web service (ACI or AKS) takes: the image, the script, the name."""

    unique_names: ClassVar[dict[str, int]] = {"service_name": 32}

    service_name: str
    """Web service name in the workspace [default: the project folder's name and a suffix kept
    in .scorehost/]."""
    auth_enabled: bool = False
    """Require `Authorization: Bearer <key>` (keys from `status`, masked)."""
    enable_app_insights: bool = False
    """Application Insights for the service: Azure ML sets AML_APP_INSIGHTS_ENABLED and _KEY,
    and scorehost sends its requests, exceptions and logs there (scorehost[telemetry])."""
    entry_script: Path = Field(default_factory=lambda: default_entry_script(Path.cwd()))
    """The score.py to serve; Azure ML uploads it with its folder and the container serves it,
    whatever script the image holds [default: score.py where the command runs, else the
    tutorial's]. Relative paths: to the settings file, or to here on the command line."""
    registry: str | None = None
    """Registry login server a local image is pushed to (docker login first); default: the
    workspace's registry, with its admin credentials."""
    registry_username: str | None = None
    """For an image in a private registry other than the workspace's: the user Azure ML pulls
    it as (password from SCOREHOST_REGISTRY_PASSWORD; Azure ML keeps it in the Environment)."""
    model_file: Path | None = None
    """Register this model file and mount it; None: the model baked into the image."""
    model_name: str | None = None
    """Registered model name (with model_file) [default: the model file's name]."""
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

    _registry = field_validator("registry")(staticmethod(check_registry))

    @field_validator("entry_script")
    @classmethod
    def _entry_script(cls, value: Path, info: ValidationInfo) -> Path:
        # Azure ML imports it as a module: azureml/_model_management/_util.py,
        # validate_entry_script_name, refuses names that are not identifiers.
        if value.suffix != ".py":
            raise ValueError(f"{value} must be a .py file")
        if not value.stem.isidentifier() or keyword.iskeyword(value.stem):
            suggestion = re.sub(r"\W", "_", value.stem)
            raise ValueError(
                f"Azure ML imports {value.name} as a Python module, so its name must be an "
                f"identifier: rename it, e.g. to {suggestion}.py"
            )
        if not deploying(info):
            return value
        if not value.is_file():
            raise ValueError(f"{value} does not exist")
        try:
            ast.parse(value.read_bytes(), filename=str(value))
        except SyntaxError as exc:
            raise ValueError(f"{value} line {exc.lineno}: {exc.msg}") from None
        return value

    @field_validator("model_file")
    @classmethod
    def _model_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is not None and deploying(info) and not value.is_file():
            raise ValueError(f"{value} does not exist")
        return value

    @property
    def registered_model_name(self) -> str:
        """model_name, or the model file's own name."""
        return self.model_name or asset_name(self.model_file or Path("model"))


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
    scoring_timeout_ms: int = Field(60_000, le=300_000)
    """Azure's per-request timeout; scorehost answers 504 one second before it."""
    namespace: str | None = None
    """Kubernetes namespace (default: Azure ML's)."""

    @field_validator("scoring_timeout_ms")
    @classmethod
    def _timeout(cls, value: int) -> int:
        return check_timeout(value)

    @model_validator(mode="after")
    def _scale(self) -> "AksConfig":
        if self.autoscale_enabled and self.num_replicas is not None:
            raise ValueError(
                "num_replicas: fixed replicas and autoscale_enabled exclude each "
                "other; unset one (--no-autoscale-enabled)"
            )
        if self.autoscale_min_replicas > self.autoscale_max_replicas:
            raise ValueError(
                f"autoscale_min_replicas ({self.autoscale_min_replicas}) is above "
                f"autoscale_max_replicas ({self.autoscale_max_replicas})"
            )
        return self

    @property
    def workers(self) -> int:
        return max(1, int(self.cpu_cores))
