"""Settings of a managed online endpoint deployment (Azure ML v2): online_endpoint.toml, then
command-line overrides, all validated before anything reaches Azure."""

from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from scorehost.deploy.shared.config import (
    ImageConfig,
    check_ml_name,
    check_registry,
    check_timeout,
    check_vm_size,
    server_timeout_ms,
)

AZURE_REQUEST_TIMEOUT_MAX_MS = 180_000  # Azure ML's ceiling for request_timeout_ms


class OnlineEndpointConfig(ImageConfig):
    """A managed online endpoint and one deployment of the image, with autoscale and traffic."""

    unique_names: ClassVar[dict[str, int]] = {"endpoint_name": 32}

    endpoint_name: str
    """Endpoint name: part of the scoring URI, unique in the region [default: the project
    folder's name and a suffix kept in .scorehost/]."""
    deployment_name: str = "blue"
    """The deployment this run creates; a new image goes to a new name (blue/green)."""
    registry: str | None = None
    """Registry login server to push a local image to (e.g. myregistry.azurecr.io); the
    workspace's registry needs no further access rights, another one needs AcrPull for the
    endpoint's identity. Log in first (az acr login)."""
    instance_type: str = "Standard_F4s_v2"
    """VM size of each instance (see `scorehost capacity`)."""
    instance_count: int = Field(2, ge=1, le=100)
    """Instances at deploy time (autoscale moves it between autoscale_min and autoscale_max)."""
    workers: int | None = Field(None, ge=1, le=64)
    """scorehost workers per instance; default: one per vCPU the container gets, counted inside
    it from its CPU quota (SCOREHOST_WORKERS=auto)."""
    request_timeout_ms: int = Field(60_000, le=AZURE_REQUEST_TIMEOUT_MAX_MS)
    """Azure's per-request timeout; scorehost answers 504 one second before it."""
    max_concurrent_requests_per_instance: int = Field(16, ge=1, le=1000)
    """Requests Azure lets through to one instance at once (Azure's default, 1, serializes)."""
    environment_variables: dict[str, str] = Field(default_factory=dict)
    """More SCOREHOST_* settings for the container."""
    app_insights_enabled: bool = False
    """Send the container's logs and metrics to the workspace's Application Insights."""
    autoscale: bool = True
    """Create an Azure Monitor autoscale setting for the deployment."""
    autoscale_min: int = Field(2, ge=1, le=100)
    autoscale_max: int = Field(10, ge=1, le=100)
    autoscale_metric: Literal["cpu", "latency"] = "cpu"
    """Scale out on the deployment's CPU, or on the endpoint's request latency."""
    scale_out_cpu_percent: int = Field(70, ge=1, le=100)
    scale_in_cpu_percent: int = Field(30, ge=0, le=99)
    scale_out_latency_ms: int = Field(200, ge=1)
    """With autoscale_metric = "latency": add an instance when average latency exceeds this."""
    traffic_steps: list[int] = Field(default_factory=lambda: [10, 50, 100])
    """Blue/green: percentages the new deployment gets in turn, each checked before the next."""
    step_wait_s: float = Field(60, ge=0)
    """How long each traffic step runs before it is checked."""
    delete_on_rollback: bool = False
    """After a failed rollout, delete the new deployment (default: keep it at 0% to debug)."""
    timeout_s: int = Field(1800, gt=0)
    """How long to wait for each create or update."""

    @field_validator("endpoint_name", "deployment_name")
    @classmethod
    def _names(cls, value: str) -> str:
        return check_ml_name(value)

    _registry = field_validator("registry")(staticmethod(check_registry))

    @field_validator("request_timeout_ms")
    @classmethod
    def _timeout(cls, value: int) -> int:
        return check_timeout(value)

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        return check_vm_size(value, "online endpoint")

    @field_validator("environment_variables")
    @classmethod
    def _environment(cls, value: dict[str, str]) -> dict[str, str]:
        reserved = {"SCOREHOST_PORT", "AZUREML_ENTRY_SCRIPT"} & set(value)
        if reserved:
            raise ValueError(f"{', '.join(sorted(reserved))} must stay as the image sets them")
        return value

    @field_validator("traffic_steps")
    @classmethod
    def _steps(cls, value: list[int]) -> list[int]:
        if not value or value[-1] != 100 or any(not 0 < s <= 100 for s in value):
            raise ValueError("percentages between 1 and 100, ending with 100")
        if value != sorted(set(value)):
            raise ValueError("each step must be larger than the one before")
        return value

    @model_validator(mode="after")
    def _ranges(self) -> "OnlineEndpointConfig":
        if self.autoscale and self.autoscale_min > self.autoscale_max:
            raise ValueError(
                f"autoscale_min ({self.autoscale_min}) is above autoscale_max "
                f"({self.autoscale_max})"
            )
        if self.autoscale and not self.autoscale_min <= self.instance_count <= self.autoscale_max:
            raise ValueError(
                f"instance_count ({self.instance_count}) must lie between autoscale_min and "
                f"autoscale_max ({self.autoscale_min}-{self.autoscale_max})"
            )
        if self.scale_in_cpu_percent >= self.scale_out_cpu_percent:
            raise ValueError("scale_in_cpu_percent must be below scale_out_cpu_percent")
        return self

    @property
    def container_environment(self) -> dict[str, str]:
        """SCOREHOST_* settings the deployment passes to the container."""
        values = {
            "SCOREHOST_SCORING_TIMEOUT_MS": str(server_timeout_ms(self.request_timeout_ms)),
            "SCOREHOST_LOG_FORMAT": "json",
            "SCOREHOST_WORKERS": str(self.workers or "auto"),
        }
        return {**values, **self.environment_variables}
