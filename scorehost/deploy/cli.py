"""`scorehost deploy <target> ...`: the deploy commands under the one `scorehost` command.

Each target keeps its own parser (`scorehost deploy aci --help`); this only picks the target and
hands it the rest of the command line, importing nothing of a target until it is chosen."""

import argparse
import importlib
from collections.abc import Callable, Sequence
from functools import partial

from scorehost.app.commands import CommandGroup, SubParsers

# target -> what it deploys to (the `scorehost deploy --help` listing)
TARGETS = {
    "aci": "Azure Container Instances through Azure ML v1 (Model.deploy)",
    "aks": "an AKS cluster attached to an Azure ML v1 workspace",
    "online_endpoint": "an Azure ML v2 managed online endpoint, blue/green and autoscale",
    "container_instance": "plain Azure Container Instances, no Azure ML",
    "batch_endpoint": "an Azure ML v2 batch endpoint for a run(mini_batch) script",
}


def target_main(target: str) -> Callable[[Sequence[str]], int]:
    """The `main(argv)` of one target, the same function `python -m scorehost.deploy.<target>`
    runs."""
    from scorehost.deploy.azureml_v1 import cli as azureml_v1

    if target in azureml_v1.TARGETS:  # aci and aks share one command line
        return partial(azureml_v1.main, target)
    main: Callable[[Sequence[str]], int] = importlib.import_module(
        f"scorehost.deploy.{target}.cli"
    ).main
    return main


def _run(args: argparse.Namespace) -> int:
    """The target's own command line; it ends its commands as every scorehost command ends."""
    debug = ["--debug"] if args.show_traceback else []  # `scorehost --debug deploy ...`
    return target_main(args.target)([*debug, *args.target_args])


def _register(commands: SubParsers) -> None:
    deploy = commands.add_parser(
        "deploy",
        help="push the image and deploy it to Azure (aci, aks, online_endpoint, "
        "container_instance), or a batch script (batch_endpoint)",
        description="Deploy the scorehost image. Every target has its own commands and flags: "
        "scorehost deploy <target> --help. Needs the deploy extra (make install, or "
        "pip install 'scorehost[deploy]'); aci and aks need 'scorehost[deploy-v1]' (azureml-core).",
        epilog="targets:\n" + "\n".join(f"  {name:<20}{what}" for name, what in TARGETS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    deploy.add_argument("target", choices=TARGETS, help="where to deploy (listed below)")
    deploy.add_argument(
        "target_args",
        nargs=argparse.REMAINDER,
        metavar="...",
        help="the target's command and flags, e.g. deploy --dry-run",
    )
    deploy.set_defaults(handler=_run)


COMMANDS = CommandGroup(register=_register)
