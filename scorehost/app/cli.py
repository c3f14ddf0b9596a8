"""The `scorehost` command (`python -m scorehost`): serve a score.py, and the tools around it.

One parser, assembled from what each installed product contributes (the server, the tutorial's
tools, the capacity planner: the Docker image carries only the server); each failure a product
declares ends the command with one line on stderr."""

import argparse
import importlib
from collections.abc import Sequence

from scorehost import __version__
from scorehost.app.commands import CommandGroup, add_debug_flag, run

# Modules with a COMMANDS group; a product that is not installed contributes nothing.
PRODUCTS = (
    "scorehost.app.serve_command",
    "scorehost.tutorial.cli",
    "scorehost.user_image.cli",
    "scorehost.deploy.cli",
    "scorehost.deploy.capacity.cli",
    "scorehost.batch.cli",
)


def command_groups() -> list[CommandGroup]:
    groups = []
    for name in PRODUCTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not f"{name}.".startswith(f"{exc.name}."):
                raise  # the product is there, and broken: say so
            continue
        groups.append(module.COMMANDS)
    return groups


def build_parser(groups: Sequence[CommandGroup]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scorehost",
        description="Serve an Azure ML score.py and its model over HTTP, and the tools around "
        "it that are installed (the tutorial's train/evaluate, deploy, the capacity planner, batch "
        "scoring).",
    )
    parser.add_argument("--version", action="version", version=f"scorehost {__version__}")
    add_debug_flag(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    for group in groups:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    groups = command_groups()
    args = build_parser(groups).parse_args(argv)
    prog = f"scorehost {args.command}"
    return run(lambda: args.handler(args), prog, groups, args.show_traceback)
