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
import sys
from collections.abc import Sequence
from typing import Any

from scorehost.app.flags import given
from scorehost.deploy.online_endpoint.config import OnlineEndpointConfig
from scorehost.deploy.online_endpoint.rollout import Rollout, Smoke
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
from scorehost.deploy.shared.image import planned_image, pushed_image
from scorehost.deploy.shared.registry import DockerCli
from scorehost.deploy.shared.smoke import (
    Sample,
    add_sample_flags,
    passed,
    sample_from,
    smoke_test,
)


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
    add_sample_flags(deploy)
    add_config_flags(deploy, OnlineEndpointConfig)
    deploy.set_defaults(handler=_deploy)

    named = argparse.ArgumentParser(add_help=False)
    named.add_argument("--endpoint-name")
    status = commands.add_parser(
        "status", parents=[common, named], help="endpoint, traffic, deployments"
    )
    status.set_defaults(handler=_status)
    logs = commands.add_parser("logs", parents=[common, named], help="a deployment's log")
    logs.add_argument("--deployment-name", required=True)
    logs.add_argument("--lines", type=int, default=200)
    logs.set_defaults(handler=_logs)
    test = commands.add_parser("test", parents=[common, named], help="score the sample")
    test.add_argument("--deployment-name", help="only this deployment (default: the endpoint)")
    add_sample_flags(test)
    test.set_defaults(handler=_test)
    traffic = commands.add_parser("traffic", parents=[common, named], help="set traffic by hand")
    traffic.add_argument("split", nargs="+", type=_split, metavar="DEPLOYMENT=PERCENT")
    traffic.add_argument("--dry-run", action="store_true")
    traffic.set_defaults(handler=_traffic)
    delete = commands.add_parser(
        "delete", parents=[common, named], help="delete a deployment, or the whole endpoint"
    )
    delete.add_argument("--deployment-name", help="only this deployment (must have 0%% traffic)")
    delete.add_argument("--dry-run", action="store_true")
    delete.set_defaults(handler=_delete)
    return parser


def _split(text: str) -> tuple[str, int]:
    name, sep, percent = text.partition("=")
    if not sep or not percent.isdigit() or int(percent) > 100:
        raise argparse.ArgumentTypeError(f"expected DEPLOYMENT=PERCENT (0-100), got {text!r}")
    return name, int(percent)


def _endpoints(args: argparse.Namespace, context: Context, dry_run: Any | None = None) -> Any:
    from scorehost.deploy.online_endpoint.azure import OnlineEndpoints
    from scorehost.deploy.shared.workspace import WorkspaceIds

    ids = WorkspaceIds.from_file(args.workspace_config, placeholders=dry_run is not None)
    if dry_run is not None:
        from scorehost.deploy.shared.dry_run import PlaceholderCredential

        return OnlineEndpoints(ids, PlaceholderCredential(), dry_run.transport())
    return OnlineEndpoints(ids, credentials.make_credential(args.auth, context.environ))


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


def _deploy(args: argparse.Namespace, context: Context) -> int:
    config = load_config(args.config, given(args, OnlineEndpointConfig), OnlineEndpointConfig)
    sample = sample_from(args)
    if args.dry_run:
        planned = _dry_run_azure(config, args.assume_live)
        steps = ["checked: settings, sample, workspace config.json, credentials"]
        checked = (
            f"POST {sample.path.name} ({sample.content_type}) to the scoring URI"
            if sample
            else "readiness only (no --sample): the deployment's state"
        )
        rollout = Rollout(
            _endpoints(args, context, planned),
            config,
            wait=lambda _: None,
            say=steps.append,
            smoke=lambda name: steps.append(
                f"smoke test: {checked}"
                + (f" with azureml-model-deployment: {name}" if name else "")
            ),
        )
        found = rollout.check()
        image_ref, push = planned_image(config, context.docker, config.registry or "<registry>")
        steps.extend(push)
        rollout.run(image_ref, found)
        print(json.dumps({"plan": steps, "requests": planned.mutations()}, indent=2))
        return 0
    # Everything that can be checked is, before the image is pushed or anything registered.
    azure = _endpoints(args, context)
    rollout = Rollout(azure, config, smoke=_smoke(azure, config.endpoint_name, sample))
    found = rollout.check()
    image_ref = pushed_image(config, context.docker, lambda: config.registry)
    code = rollout.run(image_ref, found)
    print(json.dumps(azure.describe(config.endpoint_name), indent=2))
    return code


def _smoke(azure: Any, endpoint: str, sample: Sample | None) -> Smoke:
    known: dict[str, str] = {}  # the scoring URI and key, looked up once the endpoint exists

    def check(deployment: str | None) -> str | None:
        if not known:
            known["url"] = azure.get_endpoint(endpoint).scoring_uri
            known["key"] = azure.keys(endpoint)[0]
        headers = {"azureml-model-deployment": deployment} if deployment else None

        def ready() -> str | None:
            return azure.readiness(endpoint, deployment)  # type: ignore[no-any-return]

        return smoke_test(known["url"], known["key"], sample, ready, headers)

    return check


def _named(args: argparse.Namespace) -> OnlineEndpointConfig:
    overrides = {"endpoint_name": args.endpoint_name} if args.endpoint_name else {}
    return load_config(args.config, overrides, OnlineEndpointConfig)


def _planned(args: argparse.Namespace, config: OnlineEndpointConfig) -> Any | None:
    return _dry_run_azure(config, None) if getattr(args, "dry_run", False) else None


def _show_plan(planned: Any | None) -> None:
    if planned is not None:
        print(json.dumps({"requests": planned.mutations()}, indent=2))


def _status(args: argparse.Namespace, context: Context) -> int:
    config = _named(args)
    print(json.dumps(_endpoints(args, context).describe(config.endpoint_name), indent=2))
    return 0


def _logs(args: argparse.Namespace, context: Context) -> int:
    config = _named(args)
    print(_endpoints(args, context).logs(config.endpoint_name, args.deployment_name, args.lines))
    return 0


def _test(args: argparse.Namespace, context: Context) -> int:
    config = _named(args)
    smoke = _smoke(_endpoints(args, context), config.endpoint_name, sample_from(args))
    return passed(smoke(args.deployment_name))


def _traffic(args: argparse.Namespace, context: Context) -> int:
    config = _named(args)
    traffic = dict(args.split)
    if sum(traffic.values()) != 100:
        raise ConfigError(f"traffic: the shares add up to {sum(traffic.values())}%, not 100%")
    planned = _planned(args, config)
    if planned is not None:
        planned.assume(
            f"/onlineendpoints/{config.endpoint_name}", {"authMode": "Key", "traffic": {}}
        )
    _endpoints(args, context, planned).set_traffic(config.endpoint_name, traffic, config.timeout_s)
    _show_plan(planned)
    return 0


def _delete(args: argparse.Namespace, context: Context) -> int:
    config = _named(args)
    name = config.endpoint_name
    planned = _planned(args, config)
    azure = _endpoints(args, context, planned)
    if args.deployment_name:
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
    _show_plan(planned)
    return 0


def main(argv: Sequence[str] | None = None, docker: DockerCli | None = None) -> int:
    return run_target(build_parser(), argv, Context.of(docker))


if __name__ == "__main__":
    sys.exit(main())
