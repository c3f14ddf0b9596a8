"""Settings files: a target's TOML file with command-line overrides on top, validated as a whole,
and the checks several targets' settings share (names Azure accepts, the image reference)."""

import re
import tomllib
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from scorehost.app.flags import describe_errors
from scorehost.deploy.shared import vm_sizes
from scorehost.deploy.shared.errors import ConfigError
from scorehost.deploy.shared.names import unique_name

ACI_MAX_CPU = 4  # per container group in most regions
ACI_MAX_MEMORY_GB = 16
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")  # ACI: 5-63 chars
_LOCATION = re.compile(r"^[a-z][a-z0-9]+$")  # e.g. eastus, westeurope
_PINNED = re.compile(r"^[a-z0-9][-a-z0-9.]*(:[0-9]+)?/[-a-z0-9._/]+@sha256:[0-9a-f]{64}$")
_ML_NAME = re.compile(r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$")  # Azure ML: 3-32 characters
_REGISTRY = re.compile(r"^[a-z0-9][-a-z0-9.]*(:[0-9]+)?$")  # a login server, no scheme
# scorehost answers 504 this long before Azure's own per-request timeout would cut it off.
TIMEOUT_MARGIN_MS = 1000


def check_dns_label(value: str | None) -> str | None:
    if value is not None and (not 5 <= len(value) <= 63 or not _DNS_LABEL.match(value)):
        raise ValueError("5-63 lowercase letters, digits and dashes, starting with a letter")
    return value


def check_location(value: str | None) -> str | None:
    if value is not None and not _LOCATION.match(value):
        raise ValueError("an Azure region name such as eastus or westeurope")
    return value


def check_ml_name(value: str) -> str:
    """An Azure ML endpoint, deployment or compute name."""
    if not 3 <= len(value) <= 32 or not _ML_NAME.match(value):
        raise ValueError(
            "3-32 characters: letters, digits and dashes, starting with a letter and not ending "
            "with a dash"
        )
    return value


def check_compute_name(value: str) -> str:
    """An AmlCompute cluster's name: "Compute name must be between 2 and 16 characters", a letter
    first (Microsoft Learn, Create an Azure Machine Learning compute cluster; azure-ai-ml's
    compute schema)."""
    if not 2 <= len(value) <= 16 or not _ML_NAME.match(value):
        raise ValueError(
            "2-16 characters: letters, digits and dashes, starting with a letter and not ending "
            "with a dash (a compute cluster's name is shorter than an endpoint's)"
        )
    return value


def check_relative_file(value: str) -> str:
    """A path inside a folder the user names: relative, never climbing out with `..`."""
    path = Path(value)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(
            f"{value!r} must be a path inside code_dir, such as score.py or src/score.py"
        )
    return value


def check_vm_size(value: str, where: vm_sizes.Where) -> str:
    """A size from the table of those Azure ML runs `where`, spelled as Azure spells it."""
    return vm_sizes.check(value, where)


def check_registry(value: str | None) -> str | None:
    if value is not None and not _REGISTRY.match(value):
        raise ValueError(f"{value!r} is not a registry login server such as myacr.azurecr.io")
    return value


def check_timeout(azure_ms: int) -> int:
    """Azure's per-request timeout must leave scorehost time to answer before it."""
    least = 2 * TIMEOUT_MARGIN_MS
    if azure_ms < least:
        raise ValueError(
            f"{azure_ms} ms leaves scorehost no time: it answers 504 {TIMEOUT_MARGIN_MS} ms "
            f"before Azure's timeout, so it needs at least {least} ms (60000 is Azure's default)"
        )
    return azure_ms


def server_timeout_ms(azure_ms: int) -> int:
    """SCOREHOST_SCORING_TIMEOUT_MS for a container behind Azure's `azure_ms` timeout."""
    return azure_ms - TIMEOUT_MARGIN_MS


DEFAULT_IMAGE = "scorehost:latest"  # what `make image` builds


class TargetConfig(BaseModel):
    """Every target's settings: strict (an unknown key is an error), docstrings as --help."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
    # Names left unset are made from the project and kept unique: field -> longest allowed.
    unique_names: ClassVar[dict[str, int]] = {}

    tags: dict[str, str] = Field(default_factory=dict)
    """Tags on what the target creates in Azure."""
    description: str = "Deployed by scorehost"
    """Description of what the target creates."""


class ImageConfig(TargetConfig):
    """The image a target runs: a local one to push, or one already pushed, by digest."""

    image: str = DEFAULT_IMAGE
    """Local image to push, or registry/repo@sha256:... to deploy as it is."""
    repository: str | None = None
    """Repository in the registry the local image is pushed to [default: the image's name]."""

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "empty; give a local image (scorehost:latest) or registry/repo@sha256:..."
            )
        if "@sha256:" in value and not _PINNED.match(value):
            raise ValueError(f"{value!r} is not registry/repository@sha256:<64 hex digits>")
        return value

    @property
    def image_is_pinned(self) -> bool:
        return "@sha256:" in self.image

    @property
    def push_repository(self) -> str:
        """Where a local image is pushed: `repository`, else the image's own name."""
        name = self.image.split("@", 1)[0].rsplit("/", 1)[-1]
        return self.repository or name.split(":", 1)[0]


Config = TypeVar("Config", bound=BaseModel)


def load_config(
    path: Path | None, overrides: dict[str, Any], model: type[Config], *, deploying: bool = True
) -> Config:
    """The TOML file's settings (relative paths in it are relative to the file), with the
    command line's on top (relative to here). `deploying`: also check the files a deployment
    uploads; commands on a running service (status, logs, ...) need none of them."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values = _relative_to(path.parent, tomllib.loads(path.read_text()), model)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    values.update({key: value for key, value in overrides.items() if value is not None})
    for field, limit in getattr(model, "unique_names", {}).items():
        if values.get(field) is None:
            values[field] = unique_name(Path.cwd(), limit, create=deploying)
    try:
        return model.model_validate(values, context={"deploying": deploying})
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, model)) from None


def _relative_to(folder: Path, values: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    paths = {
        name for name, info in model.model_fields.items() if info.annotation in (Path, Path | None)
    }
    return {
        name: folder / value if name in paths and not Path(value).is_absolute() else value
        for name, value in values.items()
    }


def deploying(info: ValidationInfo) -> bool:
    """Whether this validation is for a deployment (see load_config)."""
    return bool((info.context or {}).get("deploying", True))
