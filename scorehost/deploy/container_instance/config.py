"""Settings of a plain ACI container group (no Azure ML): container_instance.toml, then
command-line overrides, all validated before anything reaches Azure."""

import re
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from scorehost.deploy.shared.config import (
    ACI_MAX_CPU,
    ACI_MAX_MEMORY_GB,
    ImageConfig,
    check_dns_label,
    check_location,
    check_registry,
)
from scorehost.deploy.shared.names import STATE_DIR

_GROUP = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")  # ACI: 1-63 characters
_RESOURCE_GROUP = re.compile(r"^[-\w.()]{1,89}[-\w()]$")


class ContainerInstanceConfig(ImageConfig):
    """A plain ACI container group running the image, with scorehost's own probes and keys."""

    unique_names: ClassVar[dict[str, int]] = {"name": 63, "dns_name_label": 63}

    name: str
    """Container group name in the resource group [default: the project folder's name and a
    suffix kept in .scorehost/]."""
    subscription_id: str | None = None
    """Azure subscription; default: AZURE_SUBSCRIPTION_ID."""
    resource_group: str = "scorehost"
    """Resource group that holds the container group (it must exist)."""
    location: str = "eastus"
    """Azure region."""
    registry: str | None = None
    """Registry login server to push a local image to (az acr login first)."""
    registry_username: str | None = None
    """User ACI pulls a private image as; the password comes from SCOREHOST_REGISTRY_PASSWORD,
    never from a file. Unset: a public image, or registry_identity."""
    registry_identity: str | None = None
    """Resource ID of a user-assigned identity with AcrPull, instead of a password."""
    cpu_cores: float = Field(1.0, gt=0, le=ACI_MAX_CPU)
    """CPU cores (ACI allows up to 4 per group)."""
    memory_gb: float = Field(1.5, gt=0, le=ACI_MAX_MEMORY_GB)
    """Memory in GB (ACI allows up to 16)."""
    port: int = Field(5001, ge=1024, le=65535)
    """Port scorehost listens on and ACI exposes (the image runs as non-root: 1024 and up)."""
    dns_name_label: str
    """Public name: http://<label>.<hash>.<location>.azurecontainer.io:<port>/score [default: as
    name]."""
    dns_name_label_scope: Literal[
        "TenantReuse", "SubscriptionReuse", "ResourceGroupReuse", "Noreuse", "Unsecure"
    ] = "TenantReuse"
    """Who may reuse the label: Azure adds a hash of this scope to the name, so no one outside
    it can take (or collide with) the address; Unsecure: the bare label, first come first
    served in the region."""
    auth_enabled: bool = True
    """Require `Authorization: Bearer <key>`; keys come from SCOREHOST_PRIMARY_KEY and
    SCOREHOST_SECONDARY_KEY, or are generated and written to keys_file."""
    keys_file: Path | None = None
    """Where generated keys are kept (mode 600) for `test` and for you, relative to the settings
    file when set there; default: .scorehost/<name>.keys.json in the folder the command runs in
    (the project's, where its names are kept too)."""
    environment_variables: dict[str, str] = Field(default_factory=dict)
    """More SCOREHOST_* settings for the container."""
    timeout_s: int = Field(900, gt=0)
    """How long to wait for the group to run."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not 1 <= len(value) <= 63 or not _GROUP.match(value):
            raise ValueError(
                "1-63 lowercase letters, digits and dashes, not starting or ending with a dash"
            )
        return value

    @field_validator("resource_group")
    @classmethod
    def _resource_group(cls, value: str) -> str:
        if not _RESOURCE_GROUP.match(value):
            raise ValueError(
                "1-90 letters, digits, dashes, underscores, dots and parentheses, "
                "not ending with a dot"
            )
        return value

    _location = field_validator("location")(staticmethod(check_location))
    _registry = field_validator("registry")(staticmethod(check_registry))
    _dns_label = field_validator("dns_name_label")(staticmethod(check_dns_label))

    @field_validator("environment_variables")
    @classmethod
    def _environment(cls, value: dict[str, str]) -> dict[str, str]:
        owned = {"SCOREHOST_PORT", "SCOREHOST_PRIMARY_KEY", "SCOREHOST_SECONDARY_KEY"} & set(value)
        if owned:
            raise ValueError(f"{', '.join(sorted(owned))} are set from port and auth_enabled")
        return value

    @property
    def keys_path(self) -> Path:
        return self.keys_file or Path(STATE_DIR) / f"{self.name}.keys.json"

    @property
    def container_environment(self) -> dict[str, str]:
        return {
            "SCOREHOST_PORT": str(self.port),
            "SCOREHOST_WORKERS": str(max(1, int(self.cpu_cores))),
            "SCOREHOST_LOG_FORMAT": "json",
            **self.environment_variables,
        }
