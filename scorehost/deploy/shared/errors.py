"""What ends a deploy command, and with which exit code (scorehost/app/exit_codes.py): 0 done,
2 invalid configuration (the field is named), 3 Azure refused or failed (its reason, and the
container's last log lines where there are some), 4 the deployed service failed its smoke test.
Anything else a deploy command raises is a bug in scorehost, and said to be one."""

import importlib
from collections.abc import Mapping

from scorehost.app import exit_codes
from scorehost.app.commands import CommandError, CommandGroup, UsageError

# The Azure SDKs' exceptions: Azure refused or failed. Each module is imported only when a
# command fails, and only if it is installed.
_AZURE_ERRORS = (
    ("azure.core.exceptions", "AzureError"),  # azure-ai-ml, azure-mgmt-*, azure-identity
    ("azureml.exceptions", "AzureMLException"),  # azureml-core (SDK v1)
    ("msrest.exceptions", "ClientException"),  # azureml-core's REST layer
    ("requests", "RequestException"),  # azureml-core's HTTP calls
)
# The top-level modules of the deploy extra.
EXTRAS = {"azure": "deploy", "azureml": "deploy-v1", "msrest": "deploy-v1", "httpx": "deploy"}


class ConfigError(UsageError):
    """A setting is invalid; the message names the field. Exit code 2."""


class RolloutFailed(CommandError):
    """Azure reports a create/update failed; `logs`, the container's last lines, follow."""

    exit_code = exit_codes.DEPLOY_FAILED

    def __init__(self, message: str, logs: str = "") -> None:
        tail = f"\n--- last container log lines ---\n{logs}" if logs else ""
        super().__init__(f"{message}{tail}")
        self.logs = logs


class PushError(CommandError):
    """docker tag/login/push failed; the message carries docker's own error."""

    exit_code = exit_codes.DEPLOY_FAILED


def azure_errors() -> Mapping[type[BaseException], int]:
    found: dict[type[BaseException], int] = {}
    for module, name in _AZURE_ERRORS:
        try:
            found[getattr(importlib.import_module(module), name)] = exit_codes.DEPLOY_FAILED
        except (ImportError, AttributeError):
            continue
    return found


ERRORS = CommandGroup(register=lambda _: None, errors=azure_errors, extras=EXTRAS)
