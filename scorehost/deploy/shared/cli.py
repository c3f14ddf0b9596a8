"""The parts of every deploy command line: its settings file, flags generated from its settings
model (so --help and the TOML file name the same fields), its program name, and how a target's
command runs: the handler its subcommand registered, ended as every scorehost command ends."""

import argparse
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from scorehost.app.commands import add_debug_flag, run
from scorehost.app.flags import add_model_flags
from scorehost.deploy.shared.errors import ERRORS
from scorehost.deploy.shared.registry import DockerCli


@dataclass
class Context:
    """What a deploy handler gets besides its arguments (tests give fakes)."""

    docker: DockerCli
    environ: dict[str, str]

    @classmethod
    def of(
        cls, docker: DockerCli | None = None, environ: dict[str, str] | None = None
    ) -> "Context":
        """The real docker CLI and this process's environment, where none are given."""
        return cls(docker or DockerCli(), dict(os.environ if environ is None else environ))


DeployHandler = Callable[[argparse.Namespace, Context], int]


def parser_for(target: str, description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"scorehost deploy {target}",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_debug_flag(parser)
    return parser


def run_target(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, context: Context
) -> int:
    """Parse `argv` and run the subcommand's handler (`set_defaults(handler=...)`)."""
    args = parser.parse_args(argv)
    handler: DeployHandler = args.handler
    return run(lambda: handler(args, context), parser.prog, [ERRORS], args.show_traceback)


def default_config(target: str) -> Path:
    """The target's TOML file of defaults, shipped inside its package."""
    return Path(str(resources.files(f"scorehost.deploy.{target}") / f"{target}.toml"))


def add_config_file_flag(parser: argparse.ArgumentParser, target: str) -> None:
    parser.add_argument(
        "--config", type=Path, default=default_config(target), help="settings file (TOML)"
    )


def add_config_flags(parser: argparse.ArgumentParser, model: type[BaseModel]) -> None:
    """One --flag per setting, grouped, each overriding the TOML file's value."""
    add_model_flags(parser.add_argument_group("settings (override the TOML file)"), model)


def workspace_flags(target: str) -> argparse.ArgumentParser:
    """A parent parser with what every command of an Azure ML v2 target takes: its settings
    file, the workspace's config.json and how to sign in."""
    from scorehost.deploy.shared.credentials import add_auth_flag

    common = argparse.ArgumentParser(add_help=False)
    add_config_file_flag(common, target)
    common.add_argument(
        "--workspace-config",
        type=Path,
        help="Azure ML config.json (default: ./config.json, ./.azureml/config.json)",
    )
    add_auth_flag(common)
    return common
