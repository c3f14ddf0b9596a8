"""The one seam to Azure ML v1: every azureml-core call the aci and aks commands make is here."""

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from azureml.core import Model, Workspace
from azureml.core.authentication import (
    AbstractAuthentication,
    InteractiveLoginAuthentication,
    MsiAuthentication,
    ServicePrincipalAuthentication,
    TokenAuthentication,
)
from azureml.core.compute import AksCompute
from azureml.core.webservice import Webservice
from azureml.exceptions import WebserviceException

from scorehost.deploy.azureml_v1 import payload
from scorehost.deploy.azureml_v1.config import AksConfig, WebserviceConfig
from scorehost.deploy.shared.errors import ConfigError, RolloutFailed
from scorehost.deploy.shared.masking import mask
from scorehost.deploy.shared.registry import RegistryLogin
from scorehost.deploy.shared.snapshot import Snapshot
from scorehost.deploy.shared.workspace import WorkspaceIds

_TERMINAL = {"Succeeded", "Failed", "Cancelled", "TimedOut"}
_SP_VARIABLES = (
    "AZUREML_SERVICE_PRINCIPAL_TENANT_ID",
    "AZUREML_SERVICE_PRINCIPAL_ID",
    "AZUREML_SERVICE_PRINCIPAL_PASSWORD",
)


def make_auth(mode: str, environ: dict[str, str], on_tty: bool) -> AbstractAuthentication:
    """Explicit credentials only: never a silent browser login that would hang a CI job."""
    if mode in ("auto", "sp") and all(environ.get(name) for name in _SP_VARIABLES):
        tenant, client, secret = (environ[name] for name in _SP_VARIABLES)
        return ServicePrincipalAuthentication(tenant, client, secret)
    if mode == "msi":
        return MsiAuthentication()
    if mode in ("auto", "interactive") and on_tty and not environ.get("CI"):
        return InteractiveLoginAuthentication()
    raise ConfigError(
        "auth: no credentials. Set " + ", ".join(_SP_VARIABLES) + " (a service principal), "
        "use --auth msi on an Azure VM, or run from a terminal (not in CI) to log in interactively"
    )


def load_workspace(ids: WorkspaceIds, auth: AbstractAuthentication) -> Workspace:
    return Workspace(ids.subscription_id, ids.resource_group, ids.workspace_name, auth=auth)


def offline_workspace(ids: WorkspaceIds) -> Workspace:
    """A Workspace object that never calls Azure: for the dry run."""
    # A named cloud: the SDK would otherwise fetch cloud metadata from Azure Resource Manager.
    auth = TokenAuthentication(lambda _audience: "dry-run", cloud="AzureCloud")
    return Workspace(
        ids.subscription_id,
        ids.resource_group,
        ids.workspace_name,
        auth=auth,
        _disable_service_check=True,
    )


def registry_login(workspace: Workspace) -> RegistryLogin:
    """The workspace registry's admin login, as azureml-core itself builds it: the login server
    from the username (azureml/core/model.py, `'{}.azurecr.io'.format(registry.username.lower())`);
    listKeys' `location` is the registry's region, and often null."""
    keys = workspace.list_keys()
    credentials = keys.get("containerRegistryCredentials") or {}
    passwords = credentials.get("passwords") or []
    username = credentials.get("username")
    if not username or not passwords or not passwords[0].get("value"):
        raise RolloutFailed(
            "the workspace's container registry has no admin credentials; enable the registry's "
            "admin user (az acr update --admin-enabled true), or push the image yourself and pass "
            "--image <registry>/<repo>@sha256:... (with --registry-username if it is private)"
        )
    return RegistryLogin(f"{username.lower()}.azurecr.io", username, passwords[0]["value"])


def check_target(workspace: Workspace, config: WebserviceConfig) -> AksCompute | None:
    """Reads only, before anything is pushed or registered: the attached AKS cluster (a wrong
    name fails here), and, with overwrite off, that no service of the name exists yet."""
    cluster = (
        AksCompute(workspace, config.compute_target) if isinstance(config, AksConfig) else None
    )
    if not config.overwrite:
        try:
            Webservice(workspace, name=config.service_name)
        except WebserviceException as exc:
            if "WebserviceNotFound" not in str(exc.message):
                raise
        else:
            raise ConfigError(
                f"service_name: {config.service_name} already exists and overwrite is off; "
                "pass --overwrite to replace it, or another --service-name"
            )
    return cluster


def register_model(workspace: Workspace, config: WebserviceConfig) -> Model:
    assert config.model_file is not None
    return Model.register(
        workspace, model_path=str(config.model_file), model_name=config.registered_model_name
    )


def start_deployment(
    workspace: Workspace,
    config: WebserviceConfig,
    image_ref: str,
    models: list[Model],
    registry_password: str | None,
    cluster: AksCompute | None,
) -> Webservice:
    """Model.deploy with only the snapshot's files of the entry script's folder: azureml-core
    uploads the source folder whole (no ignore files), so it gets a staged copy."""
    with source_snapshot(config).staged() as source:
        return Model.deploy(
            workspace,
            config.service_name,
            models,
            payload.inference_config(config, image_ref, registry_password, source),
            payload.deployment_config(config),
            deployment_target=cluster,
            overwrite=config.overwrite,
        )


def source_snapshot(config: WebserviceConfig) -> Snapshot:
    """What of the entry script's folder goes to Azure; the script itself must be in it."""
    snapshot = Snapshot.of(config.entry_script.parent)
    if Path(config.entry_script.name) not in snapshot.files:
        rules = snapshot.ignore_file.name if snapshot.ignore_file else "its name (hidden)"
        raise ConfigError(
            f"entry_script: {config.entry_script} would not be uploaded: {rules} leaves it out"
        )
    return snapshot


def wait_for_deployment(
    service: Webservice,
    timeout_s: float,
    poll_s: float = 5.0,
    progress: Callable[[str], None] = lambda line: print(f"\r{line}", end="", file=sys.stderr),
) -> None:
    """Poll the deployment operation, showing state and elapsed time; RolloutFailed if it
    fails, or is still under way when timeout_s runs out (it may still finish: `status`)."""
    started = time.monotonic()
    state, error = "Unknown", None
    while True:
        # The public wait_for_deployment prints dots only; the operation state is what we show.
        state, error, _ = service._get_operation_state()
        elapsed = time.monotonic() - started
        progress(f"{service.name}: {state}, {elapsed:.0f} s")
        if state in _TERMINAL or elapsed + poll_s > timeout_s:
            break
        time.sleep(poll_s)
    progress("\n")
    if state not in _TERMINAL:
        raise RolloutFailed(
            f"deployment of {service.name} did not finish within {timeout_s:.0f} s: Azure still "
            f"reports it {state}. It may yet succeed: check `status`, or raise timeout_s",
            logs_of(service),
        )
    service.update_deployment_state()
    if state != "Succeeded":
        reason = json.dumps(error or service.error or f"operation state {state}", indent=2)
        raise RolloutFailed(
            f"deployment of {service.name} ended {state}: {reason}", logs_of(service)
        )


def logs_of(service: Webservice, lines: int = 50) -> str:
    try:
        return str(service.get_logs(num_lines=lines))
    except WebserviceException as exc:
        return f"(no container logs: {exc.message})"


_SERVING = re.compile(r"Serving (?P<entry_script>\S+) \(model dir (?P<model_dir>\S+)\)")


def what_it_serves(service: Webservice) -> dict[str, str]:
    """The script and model folder the container resolved, read back from its log: what only
    the running service can confirm (Azure ML's derived image sets variables of its own)."""
    found = _SERVING.search(logs_of(service, 500))
    if found is None:
        return {"unverified": "no scorehost start line in the container log; see `logs`"}
    return found.groupdict()


def get_service(workspace: Workspace, name: str) -> Webservice:
    return Webservice(workspace, name=name)


def describe(service: Webservice) -> dict[str, Any]:
    info = {
        "name": service.name,
        "state": service.state,
        "scoring_uri": service.scoring_uri,
        "swagger_uri": service.swagger_uri,
        "auth_enabled": bool(getattr(service, "auth_enabled", False)),
    }
    if info["auth_enabled"]:
        primary, secondary = service.get_keys()
        info["keys"] = [mask(primary), mask(secondary)]
    return info


def primary_key(service: Webservice) -> str | None:
    return str(service.get_keys()[0]) if getattr(service, "auth_enabled", False) else None


def package_dockerfile(
    workspace: Workspace,
    config: WebserviceConfig,
    image_ref: str,
    registry_password: str | None,
    out: Path,
) -> Path:
    with source_snapshot(config).staged() as source:
        inference = payload.inference_config(config, image_ref, registry_password, source)
        package = Model.package(workspace, [], inference, generate_dockerfile=True)
    package.wait_for_creation(show_output=False)
    package.save(str(out))
    return out / "Dockerfile"
