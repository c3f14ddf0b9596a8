"""The `scorehost` command (`python -m app`): serve a score.py, and the tools around it.

One parser, assembled from what each product contributes (the server, the tutorial's tools, the
capacity planner); each failure a product declares ends the command with one line on stderr."""

import argparse
import sys
from collections.abc import Sequence

from app import __version__, serve_command
from app.commands import CommandGroup
from app.process.exit_codes import USAGE
from deploy.capacity import cli as capacity_cli
from tutorial import cli as tutorial_cli

EXIT_REMOTE = 1  # the service or the download source failed
GROUPS: tuple[CommandGroup, ...] = (
    serve_command.COMMANDS,
    tutorial_cli.COMMANDS,
    capacity_cli.COMMANDS,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scorehost",
        description="Serve an Azure ML score.py and scikit-learn model over HTTP (serve), check "
        "it (probe), train and evaluate the tutorial's MNIST model, size a deployment.",
    )
    parser.add_argument("--version", action="version", version=f"scorehost {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    usage = tuple(error for group in GROUPS for error in group.usage_errors)
    remote = tuple(error for group in GROUPS for error in group.remote_errors)
    try:
        code: int = args.handler(args)
    except usage as exc:
        print(f"scorehost {args.command}: error: {exc}", file=sys.stderr)
        return USAGE
    except remote as exc:
        print(f"scorehost {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_REMOTE
    return code
