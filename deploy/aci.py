"""Deploy the scorehost image to Azure Container Instances through Azure ML (SDK v1).

    python deploy/aci.py deploy --dry-run     # validate and print the plan; no network
    python deploy/aci.py deploy               # push the image by digest, deploy, wait, print URIs
    python deploy/aci.py status|logs|test|delete|package

Exit codes: 0 done, 2 invalid configuration (the field is named), 3 deployment failed (Azure's
error and the container's last log lines are printed), 4 the deployed service failed its smoke test.
"""

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as `python deploy/aci.py`: import from the repository root, not from deploy/ (whose
    # module names would shadow installed packages).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from deploy import cli_common
from deploy.config import AciConfig, AksConfig, WebserviceConfig, load_config
from deploy.registry import DockerCli

EXIT_CONFIG, EXIT_DEPLOY_FAILED, EXIT_SMOKE_TEST_FAILED = 2, 3, 4
TARGETS: dict[str, type[WebserviceConfig]] = {"aci": AciConfig, "aks": AksConfig}
SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mnist" / "sample.json"


def _tag(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"tags are KEY=VALUE, got {text!r}")
    return key, value


def build_parser(target: str = "aci", description: str | None = __doc__) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"deploy/{target}.py", description=description,
        formatter_class=argparse.RawTextHelpFormatter,
    )  # fmt: skip
    parser.set_defaults(target=target)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=Path(__file__).with_name(f"{target}.toml"),
                        help="settings file (TOML)")  # fmt: skip
    common.add_argument(
        "--workspace-config", type=Path, help="Azure ML config.json (default: searched upwards)"
    )
    common.add_argument(
        "--auth", choices=["auto", "sp", "msi", "interactive"], default="auto",
        help="auto: service principal from AZUREML_SERVICE_PRINCIPAL_* if set, else interactive "
        "on a terminal outside CI",
    )  # fmt: skip
    named = argparse.ArgumentParser(add_help=False)
    named.add_argument("--service-name", help="web service name (3-32 chars)")
    commands = parser.add_subparsers(dest="command", required=True)

    deploy = commands.add_parser(
        "deploy", parents=[common] if target == "aks" else [common, named],
        help="push the image and deploy it",
    )  # fmt: skip
    deploy.add_argument("--dry-run", action="store_true", help="validate, print the plan and the "
                        "exact request body; no network")  # fmt: skip
    deploy.add_argument("--poll-s", type=float, default=5.0, help=argparse.SUPPRESS)
    if target == "aks":
        cli_common.add_config_flags(deploy, AksConfig)
    else:
        _aci_flags(deploy)
    for name, text in (("status", "state, URIs and masked keys as JSON"),
                       ("delete", "delete the web service")):  # fmt: skip
        commands.add_parser(name, parents=[common, named], help=text)
    logs = commands.add_parser("logs", parents=[common, named], help="the container's log")
    logs.add_argument("--lines", type=int, default=200)
    test = commands.add_parser("test", parents=[common, named], help="score a sample through it")
    test.add_argument("--sample", type=Path, default=SAMPLE, help='JSON {"data": [[...]]}')
    package = commands.add_parser(
        "package", parents=[common, named],
        help="save the Dockerfile Azure ML would build on our image",
    )  # fmt: skip
    package.add_argument("--out", type=Path, default=Path("azureml-package"))
    return parser


def _aci_flags(deploy: argparse.ArgumentParser) -> None:
    deploy.add_argument("--cpu-cores", type=float)
    deploy.add_argument("--memory-gb", type=float)
    deploy.add_argument("--location", help="Azure region (default: the workspace's)")
    deploy.add_argument("--dns-name-label")
    deploy.add_argument("--auth-enabled", action=argparse.BooleanOptionalAction, default=None)
    deploy.add_argument("--tag", type=_tag, action="append", help="KEY=VALUE (replaces the tags)")
    deploy.add_argument("--description")
    deploy.add_argument("--image", help="local image, or registry/repo@sha256:... to deploy as is")
    deploy.add_argument("--entry-script", type=Path)
    deploy.add_argument("--model-file", type=Path, help="register this model file instead of "
                        "using the model inside the image")  # fmt: skip
    deploy.add_argument(
        "--azure-inference-stack", action=argparse.BooleanOptionalAction, default=None,
        help="fall back to Azure ML's own inference server in front of the script",
    )  # fmt: skip
    deploy.add_argument("--overwrite", action=argparse.BooleanOptionalAction, default=None)
    deploy.add_argument("--timeout-s", type=int)


_OVERRIDES = (
    "service_name", "cpu_cores", "memory_gb", "location", "dns_name_label", "auth_enabled",
    "description", "image", "entry_script", "model_file", "azure_inference_stack", "overwrite",
    "timeout_s",
)  # fmt: skip


def _config_from(args: argparse.Namespace) -> Any:
    model = TARGETS[args.target]
    if model is AksConfig:
        return load_config(args.config, cli_common.overrides(args, model), model)
    overrides = {name: getattr(args, name, None) for name in _OVERRIDES}
    if getattr(args, "tag", None):
        overrides["tags"] = dict(args.tag)
    return load_config(args.config, overrides, model)


def _where(config: Any) -> str:
    if isinstance(config, AksConfig):
        scale = (
            f"autoscale {config.autoscale_min_replicas}-{config.autoscale_max_replicas} replicas"
            if config.autoscale_enabled
            else f"{config.num_replicas or 1} replicas"
        )
        return (f"AKS cluster {config.compute_target} ({scale}, {config.cpu_cores} CPU, "
                f"{config.memory_gb} GB each)")  # fmt: skip
    return f"ACI ({config.cpu_cores} CPU, {config.memory_gb} GB)"


def _dry_run(args: argparse.Namespace, config: Any, docker: DockerCli) -> int:
    from deploy import azureml_sdk as azure

    image_ref, push_steps = cli_common.planned_image(config, docker, "<workspace registry>")
    models = [f"{config.model_name}:<version after registering>"] if config.model_file else []
    steps = [
        "load the workspace from config.json with explicit credentials",
        *push_steps,
        *([f"register {config.model_file} as {config.model_name}"] if config.model_file else []),
        f"Model.deploy {config.service_name} to {_where(config)}, overwrite={config.overwrite}",
        f"wait up to {config.timeout_s} s, then print the scoring URI",
    ]
    workspace = azure.offline_workspace(args.workspace_config)
    body = azure.request_body(workspace, config, image_ref, models)
    print(json.dumps({"plan": steps, "request_body": body}, indent=2, default=str))
    return 0


def _deploy(args: argparse.Namespace, docker: DockerCli, environ: dict[str, str]) -> int:
    config = _config_from(args)
    if args.dry_run:
        return _dry_run(args, config, docker)
    from deploy import azureml_sdk as azure

    workspace = azure.load_workspace(
        args.workspace_config, azure.make_auth(args.auth, environ, sys.stdin.isatty())
    )
    image_ref = cli_common.pushed_image(config, docker, lambda: azure.registry_login(workspace))
    models = [azure.register_model(workspace, config)] if config.model_file else []
    service = azure.start_deployment(workspace, config, image_ref, models)
    azure.wait_for(service, config.timeout_s, args.poll_s)
    print(json.dumps(azure.describe(service), indent=2))
    return 0


def _service_command(args: argparse.Namespace, environ: dict[str, str]) -> int:
    from deploy import azureml_sdk as azure

    config = _config_from(args)
    workspace = azure.load_workspace(
        args.workspace_config, azure.make_auth(args.auth, environ, sys.stdin.isatty())
    )
    if args.command == "package":
        print(azure.package_dockerfile(workspace, config, config.image, args.out).read_text())
        return 0
    service = azure.get_service(workspace, config.service_name)
    if args.command == "status":
        print(json.dumps(azure.describe(service), indent=2))
    elif args.command == "logs":
        print(azure.logs_of(service, args.lines))
    elif args.command == "delete":
        service.delete()
        print(f"deleted {config.service_name}")
    else:
        return _smoke_test(service.scoring_uri, azure.primary_key(service), args.sample)
    return 0


def _smoke_test(url: str, key: str | None, sample: Path) -> int:
    from app.client import ScoringClient, ScoringError

    rows = json.loads(sample.read_text())["data"]
    try:
        with ScoringClient(url, key=key, retries=2) as client:
            print(json.dumps({"scoring_uri": url, "prediction": client.score(rows).tolist()}))
    except ScoringError as exc:
        print(f"smoke test failed: {exc}", file=sys.stderr)
        return EXIT_SMOKE_TEST_FAILED
    return 0


def main(
    argv: Sequence[str] | None = None,
    docker: DockerCli | None = None,
    environ: dict[str, str] | None = None,
    parser: argparse.ArgumentParser | None = None,
) -> int:
    args = (parser or build_parser()).parse_args(argv)
    environment = dict(os.environ if environ is None else environ)

    def command() -> int:
        if args.command == "deploy":
            return _deploy(args, docker or DockerCli(), environment)
        return _service_command(args, environment)

    return cli_common.run_command(command)


if __name__ == "__main__":
    sys.exit(main())
