"""The Azure ML v1 web service commands that `scorehost deploy aci` and `scorehost deploy aks`
run: the same image push, Model.deploy path and smoke test, onto ACI or an attached AKS cluster."""

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scorehost.app.flags import given
from scorehost.deploy.azureml_v1.config import AciConfig, AksConfig, WebserviceConfig
from scorehost.deploy.azureml_v1.preflight import preflight
from scorehost.deploy.shared.cli import (
    Context,
    add_config_file_flag,
    add_config_flags,
    parser_for,
    run_target,
)
from scorehost.deploy.shared.config import DEFAULT_IMAGE, load_config
from scorehost.deploy.shared.image import planned_image, pushed_image, registry_password
from scorehost.deploy.shared.registry import DockerCli
from scorehost.deploy.shared.smoke import (
    Sample,
    add_sample_flags,
    passed,
    sample_from,
    service_state,
    smoke_test,
)
from scorehost.deploy.shared.workspace import WorkspaceIds
from scorehost.examples import TUTORIAL_SCRIPT

TARGETS: dict[str, type[WebserviceConfig]] = {"aci": AciConfig, "aks": AksConfig}


def build_parser(target: str, description: str | None) -> argparse.ArgumentParser:
    parser = parser_for(target, description)
    parser.set_defaults(target=target)
    common = argparse.ArgumentParser(add_help=False)
    add_config_file_flag(common, target)
    common.add_argument(
        "--workspace-config",
        type=Path,
        help="Azure ML config.json (default: config.json or .azureml/config.json, here or "
        "in a folder above)",
    )
    common.add_argument(
        "--auth",
        choices=["auto", "sp", "msi", "interactive"],
        default="auto",
        help="auto: service principal from AZUREML_SERVICE_PRINCIPAL_* if set, else interactive "
        "on a terminal outside CI",
    )
    named = argparse.ArgumentParser(add_help=False)
    named.add_argument("--service-name", help="web service name (3-32 chars)")
    commands = parser.add_subparsers(dest="command", required=True)

    deploy = commands.add_parser("deploy", parents=[common], help="push the image and deploy it")
    deploy.add_argument(
        "--dry-run",
        action="store_true",
        help="validate, print the plan and the exact request body; no network",
    )
    deploy.add_argument("--poll-s", type=float, default=5.0, help=argparse.SUPPRESS)
    add_sample_flags(deploy)
    add_config_flags(deploy, TARGETS[target])
    deploy.set_defaults(handler=_deploy)
    status = commands.add_parser(
        "status", parents=[common, named], help="state, URIs and masked keys as JSON"
    )
    status.set_defaults(handler=_status)
    delete = commands.add_parser("delete", parents=[common, named], help="delete the web service")
    delete.set_defaults(handler=_delete)
    logs = commands.add_parser("logs", parents=[common, named], help="the container's log")
    logs.add_argument("--lines", type=int, default=200)
    logs.set_defaults(handler=_logs)
    test = commands.add_parser("test", parents=[common, named], help="score a sample through it")
    add_sample_flags(test)
    test.set_defaults(handler=_test)
    package = commands.add_parser(
        "package",
        parents=[common, named],
        help="save the Dockerfile Azure ML would build on our image",
    )
    package.add_argument("--out", type=Path, default=Path("azureml-package"))
    package.add_argument("--image", help="local image to push, or registry/repo@sha256:...")
    package.set_defaults(handler=_package)
    return parser


def _config_from(args: argparse.Namespace, deploying: bool) -> WebserviceConfig:
    model = TARGETS[args.target]
    config = load_config(args.config, given(args, model), model, deploying=deploying)
    default_image = config.push_repository.rsplit("/", 1)[-1] == DEFAULT_IMAGE.split(":")[0]
    if deploying and config.entry_script == TUTORIAL_SCRIPT and not default_image:
        # Azure ML v1 serves the entry script it uploads, not the one inside the image (a
        # `scorehost build` image, say, whose name is the user's, not scorehost's)
        print(
            f"scorehost deploy {args.target}: no entry_script given and no score.py here: Azure "
            f"ML will serve the tutorial's ({TUTORIAL_SCRIPT}) from {config.image}, in place "
            "of the image's own; give --entry-script for your project's",
            file=sys.stderr,
        )
    return config


def _where(config: WebserviceConfig) -> str:
    if isinstance(config, AksConfig):
        scale = (
            f"autoscale {config.autoscale_min_replicas}-{config.autoscale_max_replicas} replicas"
            if config.autoscale_enabled
            else f"{config.num_replicas or 1} replicas"
        )
        return (
            f"AKS cluster {config.compute_target} ({scale}, {config.cpu_cores} CPU, "
            f"{config.memory_gb} GB each)"
        )
    assert isinstance(config, AciConfig)
    return f"ACI ({config.cpu_cores} CPU, {config.memory_gb} GB)"


def _smoke_step(sample: Sample | None) -> str:
    if sample is None:
        return "no --sample: check readiness only (the service's state is Healthy)"
    return f"smoke test: POST {sample.path.name} ({sample.content_type}) to the scoring URI"


def _dry_run(args: argparse.Namespace, config: WebserviceConfig, docker: DockerCli) -> int:
    from scorehost.deploy.azureml_v1 import payload, sdk

    ids = WorkspaceIds.from_file(args.workspace_config, placeholders=True)
    image_ref, push_steps = planned_image(config, docker, config.registry or "<workspace registry>")
    models = (
        [f"{config.registered_model_name}:<version after registering>"] if config.model_file else []
    )
    target = (
        f"the AKS cluster {config.compute_target} is attached"
        if isinstance(config, AksConfig)
        else "ACI needs no cluster"
    )
    service = (
        "an existing service of the name is replaced (overwrite)"
        if config.overwrite
        else f"no service {config.service_name} exists yet (overwrite is off)"
    )
    snapshot = sdk.source_snapshot(config)
    rules = snapshot.ignore_file.name if snapshot.ignore_file else "no ignore file"
    steps = [
        "checked: settings, entry script, sample",
        "load the workspace from config.json with explicit credentials",
        f"check: {target}; {service}",
        *push_steps,
        *(
            [f"register {config.model_file} as {config.registered_model_name}"]
            if config.model_file
            else []
        ),
        f"Model.deploy {config.service_name} to {_where(config)}, overwrite={config.overwrite}"
        f", uploading {snapshot.folder.name}/ as the source folder: {len(snapshot.files)} files, "
        f"{snapshot.total_bytes:,} bytes ({rules}; never .git, virtual environments or "
        ".scorehost)",
        f"wait up to {config.timeout_s} s, then read back from the container's log what it serves",
        _smoke_step(sample_from(args)),
    ]
    password = registry_password(config.registry_username, {}, dry_run=True)
    body = payload.request_body(sdk.offline_workspace(ids), config, image_ref, models, password)
    plan = {"plan": steps, "upload": snapshot.listing(), "request_body": body}
    print(json.dumps({**plan, "preflight": preflight(config)}, indent=2, default=str))
    return 0


def _workspace(args: argparse.Namespace, environ: dict[str, str]) -> Any:
    from scorehost.deploy.azureml_v1 import sdk

    ids = WorkspaceIds.from_file(args.workspace_config)  # a bad file is exit 2, before any login
    return sdk.load_workspace(ids, sdk.make_auth(args.auth, environ, sys.stdin.isatty()))


def _image(config: WebserviceConfig, docker: DockerCli, workspace: Any) -> str:
    from scorehost.deploy.azureml_v1 import sdk

    return pushed_image(config, docker, lambda: config.registry or sdk.registry_login(workspace))


def _smoke(service: Any, sample: Sample | None) -> int:
    from scorehost.deploy.azureml_v1 import sdk

    ready = service_state(service.state)
    return passed(smoke_test(service.scoring_uri, sdk.primary_key(service), sample, ready))


def _deploy(args: argparse.Namespace, context: Context) -> int:
    config = _config_from(args, deploying=True)
    sample = sample_from(args)
    if args.dry_run:
        return _dry_run(args, config, context.docker)
    from scorehost.deploy.azureml_v1 import sdk

    password = registry_password(config.registry_username, context.environ, dry_run=False)
    sdk.source_snapshot(config)  # the entry script is in what would be uploaded
    workspace = _workspace(args, context.environ)
    cluster = sdk.check_target(workspace, config)  # every check before the push
    image_ref = _image(config, context.docker, workspace)
    models = [sdk.register_model(workspace, config)] if config.model_file else []
    service = sdk.start_deployment(workspace, config, image_ref, models, password, cluster)
    sdk.wait_for_deployment(service, config.timeout_s, args.poll_s)
    print(json.dumps({**sdk.describe(service), "serves": sdk.what_it_serves(service)}, indent=2))
    return _smoke(service, sample)


def _package(args: argparse.Namespace, context: Context) -> int:
    from scorehost.deploy.azureml_v1 import sdk

    config = _config_from(args, deploying=True)
    password = registry_password(config.registry_username, context.environ, dry_run=False)
    workspace = _workspace(args, context.environ)
    image_ref = _image(config, context.docker, workspace)  # the image as it would be deployed
    print(sdk.package_dockerfile(workspace, config, image_ref, password, args.out).read_text())
    return 0


def _service(args: argparse.Namespace, context: Context) -> tuple[WebserviceConfig, Any]:
    from scorehost.deploy.azureml_v1 import sdk

    config = _config_from(args, deploying=False)
    return config, sdk.get_service(_workspace(args, context.environ), config.service_name)


def _status(args: argparse.Namespace, context: Context) -> int:
    from scorehost.deploy.azureml_v1 import sdk

    _, service = _service(args, context)
    print(json.dumps(sdk.describe(service), indent=2))
    return 0


def _logs(args: argparse.Namespace, context: Context) -> int:
    from scorehost.deploy.azureml_v1 import sdk

    _, service = _service(args, context)
    print(sdk.logs_of(service, args.lines))
    return 0


def _delete(args: argparse.Namespace, context: Context) -> int:
    config, service = _service(args, context)
    service.delete()
    print(f"deleted {config.service_name}")
    return 0


def _test(args: argparse.Namespace, context: Context) -> int:
    sample = sample_from(args)
    _, service = _service(args, context)
    return _smoke(service, sample)


def main(
    target: str,
    argv: Sequence[str] | None = None,
    docker: DockerCli | None = None,
    environ: dict[str, str] | None = None,
) -> int:
    """`scorehost deploy <target>` for a v1 target; its package docstring is its --help."""
    description = importlib.import_module(f"scorehost.deploy.{target}").__doc__
    return run_target(build_parser(target, description), argv, Context.of(docker, environ))
