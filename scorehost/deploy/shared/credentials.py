"""Azure credentials for the azure-core SDKs (azure-ai-ml, azure-mgmt-*): explicit ones only,
never a browser window that would hang a CI job."""

import argparse
from typing import Any

from scorehost.deploy.shared.errors import ConfigError

_SP_VARIABLES = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")


def add_auth_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--auth",
        choices=["default", "cli", "sp", "msi"],
        default="default",
        help="default: azure-identity's DefaultAzureCredential without browser login; cli: az "
        "login; sp: a service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID, "
        "AZURE_CLIENT_SECRET; msi: the managed identity of this Azure machine",
    )


def make_credential(mode: str, environ: dict[str, str]) -> Any:
    from azure import identity

    if mode == "cli":
        return identity.AzureCliCredential()
    if mode == "msi":
        return identity.ManagedIdentityCredential()
    if mode == "sp":
        missing = [name for name in _SP_VARIABLES if not environ.get(name)]
        if missing:
            raise ConfigError(f"auth: --auth sp needs {', '.join(missing)}")
        return identity.ClientSecretCredential(*(environ[name] for name in _SP_VARIABLES))
    return identity.DefaultAzureCredential(exclude_interactive_browser_credential=True)
