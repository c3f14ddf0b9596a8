"""Run the scorehost image alone on Azure Container Instances, without Azure ML
(azure-mgmt-containerinstance + azure-identity): the exact digest, scorehost's own probes and
its own API keys.

    scorehost deploy container_instance deploy --dry-run     # the exact request; no network
    scorehost deploy container_instance deploy --registry myacr.azurecr.io
    scorehost deploy container_instance status|logs|test|delete

API keys: SCOREHOST_PRIMARY_KEY and SCOREHOST_SECONDARY_KEY from this shell, else the ones in
keys_file, else two new ones written there (mode 600). ACI keeps them as secure values: they
never appear in the portal or in `status`. Exit codes: 0 done, 2 invalid configuration (the
field is named), 3 Azure failed (its reason and the container's last lines are printed),
4 the running container failed its smoke test.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from scorehost.app.flags import given
from scorehost.deploy.container_instance.config import ContainerInstanceConfig
from scorehost.deploy.container_instance.keys import api_keys
from scorehost.deploy.shared import credentials
from scorehost.deploy.shared.cli import (
    Context,
    add_config_file_flag,
    add_config_flags,
    parser_for,
    run_target,
)
from scorehost.deploy.shared.config import load_config
from scorehost.deploy.shared.credentials import add_auth_flag
from scorehost.deploy.shared.errors import ConfigError
from scorehost.deploy.shared.image import planned_image, pushed_image, registry_password
from scorehost.deploy.shared.registry import DockerCli
from scorehost.deploy.shared.smoke import (
    add_sample_flags,
    liveness,
    passed,
    sample_from,
    smoke_test,
)
from scorehost.deploy.shared.workspace import PLACEHOLDER_SUBSCRIPTION, check_subscription_id

PLACEHOLDER_KEYS = ("<secure: primary key>", "<secure: secondary key>")


def build_parser() -> argparse.ArgumentParser:
    parser = parser_for("container_instance", __doc__)
    common = argparse.ArgumentParser(add_help=False)
    add_config_file_flag(common, "container_instance")
    add_auth_flag(common)
    add_config_flags(common, ContainerInstanceConfig)
    commands = parser.add_subparsers(dest="command", required=True)
    deploy = commands.add_parser("deploy", parents=[common], help="create or replace the group")
    deploy.add_argument(
        "--dry-run", action="store_true", help="validate and print the exact request; no network"
    )
    add_sample_flags(deploy)
    deploy.set_defaults(handler=_deploy)
    status = commands.add_parser(
        "status", parents=[common], help="state, address and image as JSON"
    )
    status.set_defaults(handler=_status)
    logs = commands.add_parser("logs", parents=[common], help="the container's log")
    logs.add_argument("--lines", type=int, default=200)
    logs.set_defaults(handler=_logs)
    test = commands.add_parser("test", parents=[common], help="score the sample")
    add_sample_flags(test)
    test.set_defaults(handler=_test)
    delete = commands.add_parser("delete", parents=[common], help="delete the container group")
    delete.add_argument("--dry-run", action="store_true")
    delete.set_defaults(handler=_delete)
    return parser


def _config(args: argparse.Namespace) -> ContainerInstanceConfig:
    return load_config(args.config, given(args, ContainerInstanceConfig), ContainerInstanceConfig)


def _subscription(config: ContainerInstanceConfig, environ: dict[str, str], dry: bool) -> str:
    subscription = config.subscription_id or environ.get("AZURE_SUBSCRIPTION_ID")
    if subscription:
        try:
            return check_subscription_id(subscription)
        except ValueError as exc:
            raise ConfigError(f"subscription_id (or AZURE_SUBSCRIPTION_ID): {exc}") from None
    if dry:
        return PLACEHOLDER_SUBSCRIPTION
    raise ConfigError(
        "subscription_id: set it in the TOML file, --subscription-id or AZURE_SUBSCRIPTION_ID"
    )


def _groups(
    config: ContainerInstanceConfig, args: argparse.Namespace, context: Context, dry: Any = None
) -> Any:
    from scorehost.deploy.container_instance.azure import ContainerGroups

    subscription = _subscription(config, context.environ, dry is not None)
    if dry is not None:
        from scorehost.deploy.shared.dry_run import PlaceholderCredential

        return ContainerGroups(subscription, PlaceholderCredential(), dry.transport())
    return ContainerGroups(subscription, credentials.make_credential(args.auth, context.environ))


def _deploy(args: argparse.Namespace, context: Context) -> int:
    from scorehost.deploy.container_instance import azure as azure_aci

    config = _config(args)
    sample = sample_from(args)
    environ = context.environ
    if args.dry_run:
        from scorehost.deploy.shared.dry_run import DryRunAzure

        image_ref, push = planned_image(config, context.docker, config.registry or "<registry>")
        steps = [
            "checked: settings, sample, subscription, credentials",
            f"read resource group {config.resource_group} (proves access) before anything is "
            "pushed or a key file written",
            *push,
        ]
        planned = DryRunAzure(config.location)
        keys = PLACEHOLDER_KEYS if config.auth_enabled else None
        password = registry_password(config.registry_username, environ, dry_run=True)
        app_insights = (
            f"<secure: {azure_aci.APP_INSIGHTS_VARIABLE}>"
            if environ.get(azure_aci.APP_INSIGHTS_VARIABLE)
            else None
        )
        group = azure_aci.container_group(config, image_ref, keys, password, app_insights)
        _groups(config, args, context, planned).create(config, group)
        checked = (
            f"score {sample.path.name} through it" if sample else "check that GET / is Healthy"
        )
        steps.append(f"wait up to {config.timeout_s} s for {config.name} to run, then {checked}")
        print(json.dumps({"plan": steps, "requests": planned.mutations()}, indent=2))
        return 0
    password = registry_password(config.registry_username, environ, dry_run=False)
    groups = _groups(config, args, context)
    groups.check_access(config)  # before anything is pushed or a key file is written
    image_ref = pushed_image(config, context.docker, lambda: config.registry)
    keys = api_keys(config, environ)
    app_insights = environ.get(azure_aci.APP_INSIGHTS_VARIABLE) or None
    group = azure_aci.container_group(config, image_ref, keys, password, app_insights)
    created = groups.create(config, group)
    print(json.dumps(azure_aci.describe(created, config.port), indent=2))
    url = azure_aci.scoring_uri(created, config.port)
    problem = smoke_test(url, keys[0] if keys else None, sample, liveness(url))
    return passed(problem, groups.logs(config, 50) if problem else "")


def _status(args: argparse.Namespace, context: Context) -> int:
    from scorehost.deploy.container_instance import azure as azure_aci

    config = _config(args)
    group = _groups(config, args, context).get(config)
    print(json.dumps(azure_aci.describe(group, config.port), indent=2))
    return 0


def _logs(args: argparse.Namespace, context: Context) -> int:
    config = _config(args)
    print(_groups(config, args, context).logs(config, args.lines))
    return 0


def _test(args: argparse.Namespace, context: Context) -> int:
    from scorehost.deploy.container_instance import azure as azure_aci

    config = _config(args)
    sample = sample_from(args)
    url = azure_aci.scoring_uri(_groups(config, args, context).get(config), config.port)
    keys = api_keys(config, context.environ, create=False)
    return passed(smoke_test(url, keys[0] if keys else None, sample, liveness(url)))


def _delete(args: argparse.Namespace, context: Context) -> int:
    config = _config(args)
    if args.dry_run:
        from scorehost.deploy.shared.dry_run import DryRunAzure

        planned = DryRunAzure(config.location)
        _groups(config, args, context, planned).delete(config)
        print(json.dumps({"requests": planned.mutations()}, indent=2))
        return 0
    _groups(config, args, context).delete(config)
    print(f"deleted {config.name}")
    return 0


def main(argv: Sequence[str] | None = None, docker: DockerCli | None = None) -> int:
    return run_target(build_parser(), argv, Context.of(docker))


if __name__ == "__main__":
    sys.exit(main())
