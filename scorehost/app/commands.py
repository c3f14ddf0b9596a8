"""What a product contributes to the `scorehost` command: its subcommands and the errors that
end them with an exit code (bad input: 2; the remote service or source failed: 1)."""

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Bad settings or arguments: reported in one line, exit code 2."""


@dataclass(frozen=True)
class CommandGroup:
    """`register` adds subcommands, each with `set_defaults(handler=...)`."""

    register: Callable[[SubParsers], None]
    usage_errors: tuple[type[Exception], ...] = ()
    remote_errors: tuple[type[Exception], ...] = ()


def positive(text: str) -> float:
    """An argparse type: a number above zero."""
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def count(text: str) -> int:
    """An argparse type: a whole number, at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value
