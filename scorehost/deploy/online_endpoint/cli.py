"""Run the scorehost image on an Azure ML managed online endpoint (SDK v2), with autoscale and
blue/green rollouts.

    scorehost deploy online_endpoint deploy --dry-run          # every request it would send
    scorehost deploy online_endpoint deploy --registry myacr.azurecr.io
    scorehost deploy online_endpoint deploy --image myacr.azurecr.io/scorehost@sha256:... \\
        --deployment-name green                                 # blue/green: 10%, 50%, 100%
    scorehost deploy online_endpoint status|logs|test|traffic|delete

A new deployment starts at 0% traffic and is smoke-tested on its own; then it takes the
traffic_steps in turn, each checked after step_wait_s, and any failed check puts the traffic
back as it was. Exit codes: 0 done, 2 invalid configuration (the field is named), 3 Azure
failed (its reason and the container's last log lines are printed), 4 a smoke test failed
(traffic rolled back).
"""

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scorehost.app.flags import given
from scorehost.deploy.online_endpoint.config import OnlineEndpointConfig
from scorehost.deploy.online_endpoint.rollout import Rollout, Smoke
from scorehost.deploy.shared import credentials
from scorehost.deploy.shared.cli import add_config_flags, parser_for, workspace_flags
from scorehost.deploy.shared.config import load_config
from scorehost.deploy.shared.errors import EXIT_SMOKE_TEST_FAILED, ConfigError, run_command
from scorehost.deploy.shared.image import planned_image, pushed_image
from scorehost.deploy.shared.registry import DockerCli
from scorehost.deploy.shared.smoke import smoke_test
from scorehost.examples import TUTORIAL_SAMPLE


def build_parser() -> argparse.ArgumentParser:
    parser = parser_for("online_endpoint", __doc__)
    common = workspace_flags("online_endpoint")
    commands = parser.add_subparsers(dest="command", required=True)

    deploy = commands.add_parser("deploy", parents=[common], help="create or roll out")
    deploy.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and print every request it would send; no network",
    )
    deploy.add_argument(
        "--assume-live",
        metavar="DEPLOYMENT",
        help="dry run only: plan as if DEPLOYMENT served all traffic",
    )
    deploy.add_argument("--sample", type=Path, default=TUTORIAL_SAMPLE, help="smoke test body")
    add_config_flags(deploy, OnlineEndpointConfig)

    named = argparse.ArgumentParser(add_help=False)
    named.add_argument("--endpoint-name")
    commands.add_parser("status", parents=[common, named], help="endpoint, traffic, deployments")
    logs = commands.add_parser("logs", parents=[common, named], help="a deployment's log")
    logs.add_argument("--deployment-name", required=True)
    logs.add_argument("--lines", type=int, default=200)
    test = commands.add_parser("test", parents=[common, named], help="score the sample")
    test.add_argument("--deployment-name", help="only this deployment (default: the endpoint)")
    test.add_argument("--sample", type=Path, default=TUTORIAL_SAMPLE)
    traffic = commands.add_parser("traffic", parents=[common, named], help="set traffic by hand")
    traffic.add_argument("split", nargs="+", type=_split, metavar="DEPLOYMENT=PERCENT")
    traffic.add_argument("--dry-run", action="store_true")
    delete = commands.add_parser(
        "delete", parents=[common, named], help="delete a deployment, or the whole endpoint"
    )
    delete.add_argument("--deployment-name", help="only this deployment (must have 0%% traffic)")
    delete.add_argument("--dry-run", action="store_true")
    return parser


def _split(text: str) -> tuple[str, int]:
    name, sep, percent = text.partition("=")
    if not sep or not percent.isdigit() or int(percent) > 100:
        raise argparse.ArgumentTypeError(f"expected DEPLOYMENT=PERCENT (0-100), got {text!r}")
    return name, int(percent)


def _endpoints(args: argparse.Namespace, dry_run: Any | None = None) -> Any:
    from scorehost.deploy.online_endpoint.azure import OnlineEndpoints
    from scorehost.deploy.shared.workspace import WorkspaceIds

    ids = WorkspaceIds.from_file(args.workspace_config, placeholders=dry_run is not None)
    if dry_run is not None:
        from scorehost.deploy.shared.dry_run import PlaceholderCredential

        return OnlineEndpoints(ids, PlaceholderCredential(), dry_run.transport())
    return OnlineEndpoints(ids, credentials.make_credential(args.auth, dict(os.environ)))


def _dry_run_azure(config: OnlineEndpointConfig, assume_live: str | None) -> Any:
    from scorehost.deploy.shared.dry_run import DryRunAzure

    region = "<workspace region>"
    azure = DryRunAzure(
        region,
        extra={
            "onlineendpoints": {
                "scoringUri": f"https://{config.endpoint_name}.{region}.inference.ml.azure.com/score"
            },
            # Azure adds these to every managed deployment it answers with
            "deployments": {
                "scaleSettings": {"scaleType": "Default"},
                "endpointComputeType": "Managed",
            },
            "listkeys": {"primaryKey": "<primary key>", "secondaryKey": "<secondary key>"},
        },
    )
    if assume_live:
        azure.assume(
            f"/onlineendpoints/{config.endpoint_name}",
            {"authMode": "Key", "traffic": {assume_live: 100}},
        )
    return azure


def _deploy(args: argparse.Namespace, docker: DockerCli) -> int:
    config = load_config(args.config, given(args, OnlineEndpointConfig), OnlineEndpointConfig)
    if args.dry_run:
        planned = _dry_run_azure(config, args.assume_live)
        image_ref, steps = planned_image(config, docker, config.registry or "<registry>")
        rollout = Rollout(
            _endpoints(args, planned),
            config,
            wait=lambda _: None,
            say=steps.append,
            smoke=lambda name: steps.append(
                f"smoke test: POST {args.sample.name} to the scoring URI"
                + (f" with azureml-model-deployment: {name}" if name else "")
            ),
        )
        rollout.run(image_ref)
        print(json.dumps({"plan": steps, "requests": planned.mutations()}, indent=2))
        return 0
    image_ref = pushed_image(config, docker, lambda: config.registry)
    azure = _endpoints(args)
    code = Rollout(azure, config, smoke=_smoke(azure, config.endpoint_name, args.sample)).run(
        image_ref
    )
    print(json.dumps(azure.describe(config.endpoint_name), indent=2))
    return code


def _smoke(azure: Any, endpoint: str, sample: Path) -> Smoke:
    known: dict[str, str] = {}  # the scoring URI and key, looked up once the endpoint exists

    def check(deployment: str | None) -> str | None:
        if not known:
            known["url"] = azure.get_endpoint(endpoint).scoring_uri
            known["key"] = azure.keys(endpoint)[0]
        headers = {"azureml-model-deployment": deployment} if deployment else None
        return smoke_test(known["url"], known["key"], sample, headers)

    return check


def _endpoint_command(args: argparse.Namespace) -> int:
    config = load_config(
        args.config,
        {"endpoint_name": args.endpoint_name} if args.endpoint_name else {},
        OnlineEndpointConfig,
    )
    name = config.endpoint_name
    planned = _dry_run_azure(config, None) if getattr(args, "dry_run", False) else None
    azure = _endpoints(args, planned)
    if args.command == "status":
        print(json.dumps(azure.describe(name), indent=2))
    elif args.command == "logs":
        print(azure.logs(name, args.deployment_name, args.lines))
    elif args.command == "test":
        problem = _smoke(azure, name, args.sample)(args.deployment_name)
        if problem:
            print(f"smoke test failed: {problem}", file=sys.stderr)
            return EXIT_SMOKE_TEST_FAILED
    elif args.command == "traffic":
        traffic = dict(args.split)
        if sum(traffic.values()) != 100:
            raise ConfigError(f"traffic: the shares add up to {sum(traffic.values())}%, not 100%")
        if planned is not None:
            planned.assume(f"/onlineendpoints/{name}", {"authMode": "Key", "traffic": {}})
        azure.set_traffic(name, traffic, config.timeout_s)
    elif args.deployment_name:
        endpoint = azure.get_endpoint(name)
        share = (endpoint.traffic or {}).get(args.deployment_name, 0) if endpoint else 0
        if share:
            raise ConfigError(
                f"deployment_name: {args.deployment_name} still serves {share}% of {name}; "
                "move its traffic first (scorehost deploy online_endpoint traffic <other>=100)"
            )
        azure.delete_deployment(config, args.deployment_name, config.timeout_s)
    else:
        azure.delete_endpoint(config, config.timeout_s)
    if planned is not None:
        print(json.dumps({"requests": planned.mutations()}, indent=2))
    return 0


def main(argv: Sequence[str] | None = None, docker: DockerCli | None = None) -> int:
    args = build_parser().parse_args(argv)

    def command() -> int:
        if args.command == "deploy":
            return _deploy(args, docker or DockerCli())
        return _endpoint_command(args)

    return run_command(command)


if __name__ == "__main__":
    sys.exit(main())
