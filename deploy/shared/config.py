"""Settings files: a target's TOML file with command-line overrides on top, validated as a whole,
and the checks several targets' settings share (names Azure accepts, the image reference)."""

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from deploy.shared.errors import ConfigError

ACI_MAX_CPU = 4  # per container group in most regions
ACI_MAX_MEMORY_GB = 16
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")  # ACI: 5-63 chars
_LOCATION = re.compile(r"^[a-z][a-z0-9]+$")  # e.g. eastus, westeurope
_PINNED = re.compile(r"^[a-z0-9][-a-z0-9.]*(:[0-9]+)?/[-a-z0-9._/]+@sha256:[0-9a-f]{64}$")
_REGISTRY = re.compile(r"^[a-z0-9][-a-z0-9.]*(:[0-9]+)?$")  # a login server, no scheme


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


class TargetConfig(BaseModel):
    """Every target's settings: strict (an unknown key is an error), docstrings as --help."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    tags: dict[str, str] = Field(default_factory=lambda: {"data": "MNIST", "method": "sklearn"})
    """Tags on what the target creates in Azure."""


class ImageConfig(TargetConfig):
    """The image a target runs: a local one to push, or one already pushed, by digest."""

    image: str = "scorehost:latest"
    """Local image to push, or registry/repo@sha256:... to deploy as it is."""
    repository: str = "scorehost"
    """Repository in the registry the local image is pushed to."""

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        if "@sha256:" in value and not _PINNED.match(value):
            raise ValueError(f"{value!r} is not registry/repository@sha256:<64 hex digits>")
        return value

    @property
    def image_is_pinned(self) -> bool:
        return "@sha256:" in self.image


Config = TypeVar("Config", bound=BaseModel)


def load_config(path: Path | None, overrides: dict[str, Any], model: type[Config]) -> Config:
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
