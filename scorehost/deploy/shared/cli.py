"""The parts of every deploy command line: its settings file, flags generated from its settings
model (so --help and the TOML file name the same fields), and its program name."""

import argparse
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from scorehost.app.flags import add_model_flags


def parser_for(target: str, description: str | None) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog=f"scorehost deploy {target}",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


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
