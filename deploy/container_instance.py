"""Run the scorehost image alone on Azure Container Instances, without Azure ML
(azure-mgmt-containerinstance + azure-identity): the exact digest, scorehost's own probes and
its own API keys.

    python deploy/container_instance.py deploy --dry-run     # the exact request; no network
    python deploy/container_instance.py deploy --registry myacr.azurecr.io
    python deploy/container_instance.py status|logs|test|delete

API keys: SCOREHOST_PRIMARY_KEY and SCOREHOST_SECONDARY_KEY from this shell, else the ones in
keys_file, else two new ones written there (mode 600). ACI keeps them as secure values: they
never appear in the portal or in `status`. Exit codes: 0 done, 2 invalid configuration (the
field is named), 3 Azure failed (its reason and the container's last lines are printed),
4 the running container failed its smoke test.
"""

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from deploy import cli_common
from deploy.cli_common import EXIT_SMOKE_TEST_FAILED, SAMPLE
from deploy.config import ConfigError, load_config
from deploy.container_config import ContainerInstanceConfig
from deploy.registry import DockerCli

DEFAULT_CONFIG = Path(__file__).with_name("container_instance.toml")
PLACEHOLDER_KEYS = ("<secure: primary key>", "<secure: secondary key>")
PLACEHOLDER_PASSWORD = "<secure: SCOREHOST_REGISTRY_PASSWORD>"  # noqa: S105 - a label


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deploy/container_instance.py", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="settings (TOML)")
    cli_common.add_auth_flags(common)
    cli_common.add_config_flags(common, ContainerInstanceConfig)
    commands = parser.add_subparsers(dest="command", required=True)
    deploy = commands.add_parser("deploy", parents=[common], help="create or replace the group")
    deploy.add_argument("--dry-run", action="store_true",
                        help="validate and print the exact request; no network")  # fmt: skip
    deploy.add_argument("--sample", type=Path, default=SAMPLE, help="smoke test body")
    commands.add_parser("status", parents=[common], help="state, address and image as JSON")
    logs = commands.add_parser("logs", parents=[common], help="the container's log")
    logs.add_argument("--lines", type=int, default=200)
    test = commands.add_parser("test", parents=[common], help="score the sample")
    test.add_argument("--sample", type=Path, default=SAMPLE)
    delete = commands.add_parser("delete", parents=[common], help="delete the container group")
    delete.add_argument("--dry-run", action="store_true")
    return parser


def _subscription(config: ContainerInstanceConfig, environ: dict[str, str], dry: bool) -> str:
    subscription = config.subscription_id or environ.get("AZURE_SUBSCRIPTION_ID")
    if subscription:
        return subscription
    if dry:
        return "00000000-0000-0000-0000-000000000000"
    raise ConfigError("subscription_id: set it in the TOML file, --subscription-id or "
                      "AZURE_SUBSCRIPTION_ID")  # fmt: skip


def api_keys(
    config: ContainerInstanceConfig, environ: dict[str, str], create: bool = True
) -> tuple[str, str] | None:
    """The keys the container accepts: from the shell, the keys file, or (`create`) new ones."""
    if not config.auth_enabled:
        return None
    given = environ.get("SCOREHOST_PRIMARY_KEY"), environ.get("SCOREHOST_SECONDARY_KEY")
    if given[0] and given[1]:
        return given[0], given[1]
    path = config.keys_path
    if path.is_file():
        try:
            stored = json.loads(path.read_text())
            return str(stored["primary"]), str(stored["secondary"])
        except (ValueError, KeyError, TypeError):
            raise ConfigError(f"keys_file: {path} is not {{primary, secondary}} JSON") from None
    if not create:
        raise ConfigError(f"keys_file: {path} not found; set SCOREHOST_PRIMARY_KEY to the key")
    keys = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"primary": keys[0], "secondary": keys[1]}, file)
    print(f"new API keys written to {path} (mode 600)", file=sys.stderr)
    return keys


def _registry_password(config: ContainerInstanceConfig, environ: dict[str, str]) -> str | None:
    if not config.registry_username:
        return None
    password = environ.get("SCOREHOST_REGISTRY_PASSWORD")
    if not password:
        raise ConfigError("registry_username: set SCOREHOST_REGISTRY_PASSWORD to its password")
    return password


def _groups(config: ContainerInstanceConfig, args: argparse.Namespace, dry: Any = None) -> Any:
    from deploy.azure_aci import ContainerGroups

    environ = cli_common.environment()
    subscription = _subscription(config, environ, dry is not None)
    if dry is not None:
        from deploy.planner import PlaceholderCredential

        return ContainerGroups(subscription, PlaceholderCredential(), dry.transport())
    return ContainerGroups(subscription, cli_common.make_credential(args.auth, environ))


def _deploy(args: argparse.Namespace, config: ContainerInstanceConfig, docker: DockerCli) -> int:
    from deploy import azure_aci

    environ = cli_common.environment()
    if args.dry_run:
        from deploy.planner import DryRunAzure

        image_ref, steps = cli_common.planned_image(config, docker, config.registry or "<registry>")
        planned = DryRunAzure(config.location)
        keys = PLACEHOLDER_KEYS if config.auth_enabled else None
        password = PLACEHOLDER_PASSWORD if config.registry_username else None
        group = azure_aci.container_group(config, image_ref, keys, password)
        _groups(config, args, planned).create(config, group)
        steps.append(f"wait up to {config.timeout_s} s for {config.name} to run, then score "
                     f"{args.sample.name} through it")  # fmt: skip
        print(json.dumps({"plan": steps, "requests": planned.mutations()}, indent=2))
        return 0
    password = _registry_password(config, environ)
    groups = _groups(config, args)  # credentials are checked before anything is pushed
    image_ref = cli_common.pushed_image(config, docker, lambda: config.registry)
    keys = api_keys(config, environ)
    created = groups.create(config, azure_aci.container_group(config, image_ref, keys, password))
    print(json.dumps(azure_aci.describe(created, config.port), indent=2))
    url = azure_aci.scoring_uri(created, config.port)
    problem = cli_common.smoke_test(url, keys[0] if keys else None, args.sample)
    if problem:
        print(f"smoke test failed: {problem}\n{groups.logs(config, 50)}", file=sys.stderr)
        return EXIT_SMOKE_TEST_FAILED
    return 0


def _group_command(args: argparse.Namespace, config: ContainerInstanceConfig) -> int:
    from deploy import azure_aci

    if args.command == "delete" and args.dry_run:
        from deploy.planner import DryRunAzure

        planned = DryRunAzure(config.location)
        _groups(config, args, planned).delete(config)
        print(json.dumps({"requests": planned.mutations()}, indent=2))
        return 0
    groups = _groups(config, args)
    if args.command == "status":
        print(json.dumps(azure_aci.describe(groups.get(config), config.port), indent=2))
    elif args.command == "logs":
        print(groups.logs(config, args.lines))
    elif args.command == "test":
        url = azure_aci.scoring_uri(groups.get(config), config.port)
        keys = api_keys(config, cli_common.environment(), create=False)
        problem = cli_common.smoke_test(url, keys[0] if keys else None, args.sample)
        if problem:
            print(f"smoke test failed: {problem}", file=sys.stderr)
            return EXIT_SMOKE_TEST_FAILED
    else:
        groups.delete(config)
        print(f"deleted {config.name}")
    return 0


def main(argv: Sequence[str] | None = None, docker: DockerCli | None = None) -> int:
    args = build_parser().parse_args(argv)

    def command() -> int:
        config = load_config(args.config, cli_common.overrides(args, ContainerInstanceConfig),
                             ContainerInstanceConfig)  # fmt: skip
        if args.command == "deploy":
            return _deploy(args, config, docker or DockerCli())
        return _group_command(args, config)

    return cli_common.run_command(command)


if __name__ == "__main__":
    sys.exit(main())
