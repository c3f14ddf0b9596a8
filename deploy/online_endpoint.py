"""Run the scorehost image on an Azure ML managed online endpoint (SDK v2), with autoscale and
blue/green rollouts.

    python deploy/online_endpoint.py deploy --dry-run          # every request it would send
    python deploy/online_endpoint.py deploy --registry myacr.azurecr.io
    python deploy/online_endpoint.py deploy --image myacr.azurecr.io/scorehost@sha256:... \\
        --deployment-name green                                 # blue/green: 10%, 50%, 100%
    python deploy/online_endpoint.py status|logs|test|traffic|delete

A new deployment starts at 0% traffic and is smoke-tested on its own; then it takes the
traffic_steps in turn, each checked after step_wait_s, and any failed check puts the traffic
back as it was. Exit codes: 0 done, 2 invalid configuration (the field is named), 3 Azure
failed (its reason and the container's last log lines are printed), 4 a smoke test failed
(traffic rolled back).
"""

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from deploy import cli_common
from deploy.cli_common import EXIT_SMOKE_TEST_FAILED, SAMPLE
from deploy.config import ConfigError, load_config
from deploy.online_config import OnlineEndpointConfig
from deploy.registry import DockerCli

DEFAULT_CONFIG = Path(__file__).with_name("online_endpoint.toml")
Smoke = Callable[[str | None], str | None]  # deployment (None: the endpoint) -> problem or None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deploy/online_endpoint.py", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="settings (TOML)")
    common.add_argument(
        "--workspace-config", type=Path,
        help="Azure ML config.json (default: ./config.json, ./.azureml/config.json)",
    )  # fmt: skip
    cli_common.add_auth_flags(common)
    commands = parser.add_subparsers(dest="command", required=True)

    deploy = commands.add_parser("deploy", parents=[common], help="create or roll out")
    deploy.add_argument(
        "--dry-run", action="store_true",
        help="validate and print every request it would send; no network",
    )  # fmt: skip
    deploy.add_argument("--assume-live", metavar="DEPLOYMENT",
                        help="dry run only: plan as if DEPLOYMENT served all traffic")  # fmt: skip
    deploy.add_argument("--sample", type=Path, default=SAMPLE, help="smoke test body")
    cli_common.add_config_flags(deploy, OnlineEndpointConfig)

    named = argparse.ArgumentParser(add_help=False)
    named.add_argument("--endpoint-name")
    commands.add_parser("status", parents=[common, named], help="endpoint, traffic, deployments")
    logs = commands.add_parser("logs", parents=[common, named], help="a deployment's log")
    logs.add_argument("--deployment-name", required=True)
    logs.add_argument("--lines", type=int, default=200)
    test = commands.add_parser("test", parents=[common, named], help="score the sample")
    test.add_argument("--deployment-name", help="only this deployment (default: the endpoint)")
    test.add_argument("--sample", type=Path, default=SAMPLE)
    traffic = commands.add_parser("traffic", parents=[common, named], help="set traffic by hand")
    traffic.add_argument("split", nargs="+", type=_split, metavar="DEPLOYMENT=PERCENT")
    traffic.add_argument("--dry-run", action="store_true")
    delete = commands.add_parser("delete", parents=[common, named],
                                 help="delete a deployment, or the whole endpoint")  # fmt: skip
    delete.add_argument("--deployment-name", help="only this deployment (must have 0%% traffic)")
    delete.add_argument("--dry-run", action="store_true")
    return parser


def _split(text: str) -> tuple[str, int]:
    name, sep, percent = text.partition("=")
    if not sep or not percent.isdigit() or int(percent) > 100:
        raise argparse.ArgumentTypeError(f"expected DEPLOYMENT=PERCENT (0-100), got {text!r}")
    return name, int(percent)


def shifted(live: dict[str, int], new: str, percent: int) -> dict[str, int]:
    """`new` gets `percent`; the rest is shared by the live deployments as they shared it."""
    total = sum(live.values())
    rest = 100 - percent
    shares = {name: rest * value / total for name, value in live.items()}
    traffic = {name: int(share) for name, share in shares.items()}
    for name in sorted(shares, key=lambda n: shares[n] - traffic[n], reverse=True):
        if sum(traffic.values()) == rest:
            break
        traffic[name] += 1
    return {**traffic, new: percent}


@dataclass
class Rollout:
    """Create (or reuse) the endpoint, add the deployment at 0%, test it, move traffic over."""

    azure: Any  # deploy.azure_online.OnlineEndpoints
    config: OnlineEndpointConfig
    smoke: Smoke
    wait: Callable[[float], None] = time.sleep
    say: Callable[[str], None] = lambda line: print(line, file=sys.stderr)

    def run(self, image_ref: str) -> int:
        config, azure = self.config, self.azure
        environment_id = azure.register_environment(config, image_ref)
        endpoint = azure.get_endpoint(config.endpoint_name)
        if endpoint is None:
            self.say(f"creating endpoint {config.endpoint_name}")
            endpoint = azure.create_endpoint(config, config.timeout_s)
        live = {name: share for name, share in (endpoint.traffic or {}).items() if share > 0}
        if config.deployment_name in live:
            raise ConfigError(
                f"deployment_name: {config.deployment_name} serves {live[config.deployment_name]}%"
                f" of {config.endpoint_name}; deploy the new image as another deployment "
                "(e.g. --deployment-name green) so traffic can move over, and back if need be"
            )
        self.say(f"creating deployment {config.deployment_name} ({config.instance_count} x "
                 f"{config.instance_type}) at 0% traffic")  # fmt: skip
        deployment = azure.create_deployment(config, environment_id, config.timeout_s)
        if config.autoscale:
            azure.set_autoscale(config, deployment, endpoint)
        problem = self.smoke(config.deployment_name)
        if problem:
            return self._roll_back(live, f"{config.deployment_name} alone: {problem}")
        steps = config.traffic_steps if live else [100]
        for percent in steps:
            traffic = shifted(live, config.deployment_name, percent) if live else {
                config.deployment_name: 100}  # fmt: skip
            self.say(f"traffic {traffic}")
            azure.set_traffic(config.endpoint_name, traffic, config.timeout_s)
            if percent < 100:
                self.wait(config.step_wait_s)
            problem = self.smoke(None) or self.smoke(config.deployment_name)
            if problem:
                return self._roll_back(live, f"at {percent}%: {problem}")
        for name in live:
            self.say(f"{name} now takes no traffic; once you are sure, remove it: "
                     f"deploy/online_endpoint.py delete --deployment-name {name}")  # fmt: skip
        return 0

    def _roll_back(self, live: dict[str, int], problem: str) -> int:
        config = self.config
        self.say(f"smoke test failed {problem}; traffic back to {live or 'none'}")
        self.azure.set_traffic(config.endpoint_name, live, config.timeout_s)
        if config.delete_on_rollback:
            self.azure.delete_deployment(config, config.deployment_name, config.timeout_s)
        return EXIT_SMOKE_TEST_FAILED


def _endpoints(args: argparse.Namespace, dry_run: Any | None = None) -> Any:
    from deploy.azure_online import OnlineEndpoints, WorkspaceIds

    ids = WorkspaceIds.from_file(args.workspace_config, placeholders=dry_run is not None)
    if dry_run is not None:
        from deploy.planner import PlaceholderCredential

        return OnlineEndpoints(ids, PlaceholderCredential(), dry_run.transport())
    return OnlineEndpoints(ids, cli_common.make_credential(args.auth, cli_common.environment()))


def _dry_run_azure(config: OnlineEndpointConfig, assume_live: str | None) -> Any:
    from deploy.planner import DryRunAzure

    region = "<workspace region>"
    azure = DryRunAzure(region, extra={
        "onlineendpoints": {
            "scoringUri": f"https://{config.endpoint_name}.{region}.inference.ml.azure.com/score"
        },
        # Azure adds these to every managed deployment it answers with
        "deployments": {
            "scaleSettings": {"scaleType": "Default"}, "endpointComputeType": "Managed",
        },
        "listkeys": {"primaryKey": "<primary key>", "secondaryKey": "<secondary key>"},
    })  # fmt: skip
    if assume_live:
        azure.assume(f"/onlineendpoints/{config.endpoint_name}",
                     {"authMode": "Key", "traffic": {assume_live: 100}})  # fmt: skip
    return azure


def _deploy(args: argparse.Namespace, docker: DockerCli) -> int:
    config = load_config(args.config, cli_common.overrides(args, OnlineEndpointConfig),
                         OnlineEndpointConfig)  # fmt: skip
    if args.dry_run:
        planned = _dry_run_azure(config, args.assume_live)
        image_ref, steps = cli_common.planned_image(config, docker, config.registry or "<registry>")
        rollout = Rollout(
            _endpoints(args, planned), config, wait=lambda _: None, say=steps.append,
            smoke=lambda name: steps.append(
                f"smoke test: POST {args.sample.name} to the scoring URI"
                + (f" with azureml-model-deployment: {name}" if name else "")
            ),
        )  # fmt: skip
        rollout.run(image_ref)
        print(json.dumps({"plan": steps, "requests": planned.mutations()}, indent=2))
        return 0
    image_ref = cli_common.pushed_image(config, docker, lambda: config.registry)
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
        return cli_common.smoke_test(known["url"], known["key"], sample, headers)

    return check


def _endpoint_command(args: argparse.Namespace) -> int:
    config = load_config(args.config, {"endpoint_name": args.endpoint_name} if args.endpoint_name
                         else {}, OnlineEndpointConfig)  # fmt: skip
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
                "move its traffic first (deploy/online_endpoint.py traffic <other>=100)"
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

    return cli_common.run_command(command)


if __name__ == "__main__":
    sys.exit(main())
