"""Which Azure ML workspace: its config.json (as the portal downloads it), read and checked here
so a missing or broken file is exit 2 naming it, in the dry run and the real run alike."""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scorehost.deploy.shared.errors import ConfigError

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_FIELDS = ("subscription_id", "resource_group", "workspace_name")
PLACEHOLDER_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def check_subscription_id(value: str) -> str:
    if not _GUID.match(value):
        raise ValueError(
            f"{value!r} is not a subscription id (a GUID like {PLACEHOLDER_SUBSCRIPTION})"
        )
    return value


def find_config(start: Path) -> Path | None:
    """config.json or .azureml/config.json in `start` or a folder above it, as azureml-core's
    Workspace.from_config searches."""
    for folder in (start, *start.parents):
        for candidate in (folder / "config.json", folder / ".azureml" / "config.json"):
            if candidate.is_file():
                return candidate
    return None


@dataclass(frozen=True)
class WorkspaceIds:
    subscription_id: str
    resource_group: str
    workspace_name: str

    @classmethod
    def from_file(cls, path: Path | None, placeholders: bool = False) -> "WorkspaceIds":
        """The given file, else the one found from here upwards. `placeholders`: a dry run
        without any file plans with placeholder ids; a file that exists must be right."""
        found = path if path is not None else find_config(Path.cwd())
        if found is None or not found.is_file():
            if placeholders and path is None:
                return cls(PLACEHOLDER_SUBSCRIPTION, "my-group", "my-workspace")
            where = path or "config.json or .azureml/config.json (here or above)"
            raise ConfigError(
                f"workspace config: {where} not found; download it from the workspace's page in "
                "the Azure portal, or pass --workspace-config"
            )
        return cls._parse(found)

    @classmethod
    def _parse(cls, path: Path) -> "WorkspaceIds":
        try:
            document = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"workspace config {path}: not readable JSON ({exc})") from None
        if not isinstance(document, dict):
            raise ConfigError(f"workspace config {path}: expected a JSON object with {_FIELDS}")
        missing = [name for name in _FIELDS if not isinstance(document.get(name), str)]
        if missing:
            raise ConfigError(
                f"workspace config {path}: no {', '.join(missing)}; the portal's config.json has "
                f"{', '.join(_FIELDS)}"
            )
        try:
            check_subscription_id(document["subscription_id"])
        except ValueError as exc:
            raise ConfigError(f"workspace config {path}: subscription_id: {exc}") from None
        return cls(*(document[name] for name in _FIELDS))


def ml_client(ids: WorkspaceIds, credential: Any, transport: Any | None = None) -> Any:
    """azure-ai-ml's client for this workspace, quiet (no progress bars, no telemetry), on
    `transport` when one is given (the dry run's)."""
    from azure.ai.ml import MLClient

    options: dict[str, Any] = {"transport": transport} if transport else {}
    return MLClient(
        credential,
        ids.subscription_id,
        ids.resource_group,
        ids.workspace_name,
        show_progress=False,
        enable_telemetry=False,
        **options,
    )
