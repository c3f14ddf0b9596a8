"""Run a run(mini_batch) script and its model as an Azure ML v2 batch endpoint, and invoke it
on a data asset.

    scorehost deploy batch_endpoint deploy --dry-run           # every request it would send
    scorehost deploy batch_endpoint deploy                     # cluster, assets, endpoint
    scorehost deploy batch_endpoint invoke --input azureml:digits@latest
    scorehost deploy batch_endpoint status|delete

deploy creates the compute cluster if it is missing, registers the environment (the model's
libraries at the versions it was trained with, plus Azure ML's batch driver), uploads the code
folder and the model folder once each (their content digest is the asset version), creates the
endpoint and the deployment, and makes it the endpoint's default. Exit codes: 0 done,
2 invalid configuration (the field is named), 3 Azure failed (its reason is printed).
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scorehost.app.flags import given
from scorehost.deploy.batch_endpoint.config import BatchEndpointConfig
from scorehost.deploy.shared import credentials
from scorehost.deploy.shared.cli import (
    Context,
    add_config_flags,
    parser_for,
    run_target,
    workspace_flags,
)
from scorehost.deploy.shared.config import load_config
from scorehost.deploy.shared.errors import ConfigError

REGION = "<workspace region>"


def build_parser() -> argparse.ArgumentParser:
    parser = parser_for("batch_endpoint", __doc__)
    common = workspace_flags("batch_endpoint")
    dry_run = argparse.ArgumentParser(add_help=False)
    dry_run.add_argument(
        "--dry-run", action="store_true", help="print every request it would send; no network"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    deploy = commands.add_parser("deploy", parents=[common, dry_run], help="create or update")
    add_config_flags(deploy, BatchEndpointConfig)
    deploy.set_defaults(handler=_deploy)

    named = argparse.ArgumentParser(add_help=False)
    named.add_argument("--endpoint-name")
    invoke = commands.add_parser(
        "invoke", parents=[common, named, dry_run], help="start a job on a data asset"
    )
    invoke.add_argument(
        "--input",
        required=True,
        help="what to score: a data asset (azureml:digits@latest, azureml:digits:1), a datastore "
        "path (azureml://datastores/NAME/paths/PATH), a public https:// URL, or a local folder "
        "(uploaded first)",
    )
    invoke.add_argument(
        "--input-type",
        choices=["uri_folder", "uri_file"],
        default="uri_folder",
        help="a folder of files, or one file (default: %(default)s)",
    )
    invoke.set_defaults(handler=_invoke)
    status = commands.add_parser("status", parents=[common, named], help="endpoint and deployments")
    status.set_defaults(handler=_status)
    delete = commands.add_parser(
        "delete", parents=[common, named, dry_run], help="delete a deployment, or the endpoint"
    )
    delete.add_argument("--deployment-name", help="only this deployment")
    delete.set_defaults(handler=_delete)
    return parser


def _endpoints(args: argparse.Namespace, context: Context, planned: Any | None) -> Any:
    from scorehost.deploy.batch_endpoint.azure import BatchEndpoints
    from scorehost.deploy.shared.workspace import WorkspaceIds

    ids = WorkspaceIds.from_file(args.workspace_config, placeholders=planned is not None)
    if planned is not None:
        from scorehost.deploy.shared.dry_run import PlaceholderCredential

        _seed(planned, ids)
        if getattr(args, "input", None):
            _seed_data_asset(planned, ids, args.input)
        return BatchEndpoints(ids, PlaceholderCredential(), planned.transport())
    return BatchEndpoints(ids, credentials.make_credential(args.auth, context.environ))


def _dry_run_azure(config: BatchEndpointConfig) -> Any:
    from scorehost.deploy.shared.dry_run import DryRunAzure

    return DryRunAzure(
        REGION,
        extra={
            "batchendpoints": _planned_endpoint(config),
            # Azure answers every model version with its flavors (none for a custom model)
            "versions": {"flavors": {}},
            # a placeholder key (base64 of "dry-run"): blob requests are signed with it
            "listsecrets": {"secretsType": "AccountKey", "key": "ZHJ5LXJ1bg=="},
            "jobs": {"name": "<job name>", "properties": {"status": "NotStarted"}},
        },
    )


def _workspace_path(ids: Any) -> str:
    return (
        f"/subscriptions/{ids.subscription_id}/resourceGroups/{ids.resource_group}/providers/"
        f"Microsoft.MachineLearningServices/workspaces/{ids.workspace_name}"
    )


def _seed_data_asset(planned: Any, ids: Any, reference: str) -> None:
    """For the plan of an invocation: the data asset it names exists (azureml:NAME@latest or
    azureml:NAME:VERSION), at version 1 unless named."""
    if not reference.startswith("azureml:") or reference.startswith("azureml://"):
        return
    name, _, version = reference.removeprefix("azureml:").replace("@latest", "").partition(":")
    version = version or "1"
    path = f"{_workspace_path(ids)}/data/{name}"
    planned.add(path, {"latestVersion": version})
    planned.add(
        f"{path}/versions/{version}",
        {
            "dataType": "uri_folder",
            "dataUri": f"azureml://datastores/workspaceblobstore/paths/{name}/",
        },
    )


def _planned_endpoint(config: BatchEndpointConfig) -> dict[str, str]:
    """What Azure adds to a batch endpoint: its invocation URI (a host name cannot hold the
    region's placeholder)."""
    host = f"{config.endpoint_name}.workspace-region.inference.ml.azure.com"
    return {"scoringUri": f"https://{host}/jobs", "authMode": "AADToken"}


def _seed(planned: Any, ids: Any) -> None:
    """What every workspace has before the plan: its default blob datastore."""
    workspace = _workspace_path(ids)
    planned.add(
        f"{workspace}/datastores/workspaceblobstore",
        {
            "datastoreType": "AzureBlob",
            "accountName": "workspacestorage",  # the real name is the workspace's
            "containerName": "azureml-blobstore",
            "endpoint": "core.windows.net",
            "protocol": "https",
            "isDefault": True,
            "credentials": {"credentialsType": "AccountKey"},
        },
    )


def _deploy(args: argparse.Namespace, context: Context) -> int:
    config = load_config(args.config, given(args, BatchEndpointConfig), BatchEndpointConfig)
    config.check_files()
    planned = _dry_run_azure(config) if args.dry_run else None
    azure = _endpoints(args, context, planned)
    azure.ensure_compute(config)
    environment_id = azure.register_environment(config)
    code_id = azure.register_code(config.code_dir)
    model_id = azure.register_model(config)
    azure.ensure_endpoint(config)
    azure.create_deployment(config, model_id, code_id, environment_id)
    azure.set_default(config)
    if planned is not None:
        print(json.dumps(_plan(config, planned), indent=2))
    else:
        print(json.dumps(azure.describe(config.endpoint_name), indent=2))
    return 0


def _plan(config: BatchEndpointConfig, planned: Any) -> dict[str, Any]:
    """The dry run: the order of the work, what would be uploaded, and every request."""
    from scorehost.deploy.shared.snapshot import Snapshot

    return {
        "plan": [
            "checked: settings, code_dir and its scoring_script, model_dir, the environment's "
            "packages, workspace config.json, credentials",
            f"compute {config.compute_name}: used as it is, or created ({config.instance_type}, "
            f"0-{config.max_instances} nodes)",
            "environment: registered (its version is its packages' digest)",
            "code and model: uploaded unless a version with the same digest exists",
            f"endpoint {config.endpoint_name}: created if missing; its default deployment keeps "
            "taking jobs",
            f"deployment {config.deployment_name}: created or updated, then made the default",
        ],
        "uploads": {
            "code": Snapshot.of(config.code_dir).listing(),
            "model": Snapshot.of(config.model_dir).listing(),
        },
        "requests": planned.mutations(),
    }


def _endpoint(args: argparse.Namespace, context: Context) -> tuple[BatchEndpointConfig, Any, Any]:
    """The named endpoint's settings, its Azure calls, and the dry run's plan (or None)."""
    overrides = {"endpoint_name": args.endpoint_name} if args.endpoint_name else {}
    config = load_config(args.config, overrides, BatchEndpointConfig, deploying=False)
    planned = _dry_run_azure(config) if getattr(args, "dry_run", False) else None
    if planned is not None:  # the endpoint exists, for the plan
        planned.assume(f"/batchendpoints/{config.endpoint_name}", _planned_endpoint(config))
    return config, _endpoints(args, context, planned), planned


def _show_plan(planned: Any | None) -> None:
    if planned is not None:
        print(json.dumps({"requests": planned.mutations()}, indent=2))


def _status(args: argparse.Namespace, context: Context) -> int:
    config, azure, _ = _endpoint(args, context)
    print(json.dumps(azure.describe(config.endpoint_name), indent=2))
    return 0


def check_input(reference: str, input_type: str) -> None:
    """A local --input (which azure-ai-ml uploads before the job starts) must be there, and be
    a folder for uri_folder or a file for uri_file; Azure addresses are Azure's to check."""
    if reference.startswith("azureml:") or "://" in reference:
        return
    path = Path(reference)
    wants_folder = input_type == "uri_folder"
    if not path.exists():
        raise ConfigError(
            f"--input: {reference} is not a local {'folder' if wants_folder else 'file'}, a data "
            "asset (azureml:NAME@latest) or a URL"
        )
    if wants_folder != path.is_dir():
        raise ConfigError(
            f"--input: {reference} is a {'file' if wants_folder else 'folder'}; pass "
            f"--input-type {'uri_file' if wants_folder else 'uri_folder'}"
        )


def _invoke(args: argparse.Namespace, context: Context) -> int:
    check_input(args.input, args.input_type)
    config, azure, planned = _endpoint(args, context)
    job = azure.invoke(config, args.input, args.input_type)
    print(json.dumps({"job": job.name, "status": getattr(job, "status", None)}, indent=2))
    _show_plan(planned)
    return 0


def _delete(args: argparse.Namespace, context: Context) -> int:
    config, azure, planned = _endpoint(args, context)
    if args.deployment_name:
        azure.delete_deployment(config, args.deployment_name)
    else:
        azure.delete_endpoint(config)
    _show_plan(planned)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_target(build_parser(), argv, Context.of())


if __name__ == "__main__":
    sys.exit(main())
