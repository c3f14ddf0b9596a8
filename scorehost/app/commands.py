"""What a product contributes to the `scorehost` command, and the one way every command ends:
its handler's exit code, or one line on stderr and the exit code its error calls for
(scorehost/app/exit_codes.py). An error nobody named is a bug: a pointer, or with --debug the
traceback, and exit 1."""

import argparse
import importlib.util
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, TypeAlias

from scorehost.app import exit_codes

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler = Callable[[argparse.Namespace], int]
ErrorCodes = Callable[[], Mapping[type[BaseException], int]]


class CommandError(Exception):
    """A command ended for a reason its message names; `exit_code` from the one table."""

    exit_code: ClassVar[int] = exit_codes.FAILED


class UsageError(CommandError):
    """Bad settings, arguments or input: reported in one line, exit code 2."""

    exit_code = exit_codes.USAGE


class MissingExtra(UsageError):
    """An optional part of scorehost is not installed; the message says how to add it."""

    def __init__(self, module: str, extra: str, needed_for: str = "this command") -> None:
        super().__init__(
            f"{needed_for} needs {module}, which is not installed for {sys.executable}: "
            f"pip install 'scorehost[{extra}]' (in a clone, `make install` has every extra)"
        )


def require_extra(extra: str, modules: Sequence[str], needed_for: str) -> None:
    """Raise MissingExtra for the first of `modules` that cannot be imported."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise MissingExtra(module, extra, needed_for)


@dataclass(frozen=True)
class CommandGroup:
    """`register` adds subcommands, each with `set_defaults(handler=...)`. `errors` gives the
    exceptions its commands may raise that are not CommandErrors (its own value errors, a
    library's) with the exit code of each, imported only when one is raised; `extras` names
    the extra that installs each optional top-level module its commands import."""

    register: Callable[[SubParsers], None]
    errors: ErrorCodes = dict
    extras: Mapping[str, str] = field(default_factory=dict)


def add_debug_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--debug",
        dest="show_traceback",
        action="store_true",
        help="print the traceback of an unexpected error (a bug to report)",
    )


def run(
    handler: Callable[[], int], prog: str, groups: Sequence[CommandGroup], show_traceback: bool
) -> int:
    """The handler's exit code; what it raises as one line on stderr and its exit code."""
    try:
        code = handler()
    except CommandError as exc:
        return _fail(prog, str(exc), exc.exit_code)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except ModuleNotFoundError as exc:
        top = (exc.name or "").split(".")[0]
        extra = next((g.extras[top] for g in groups if top in g.extras), None)
        if extra is None:
            return _bug(prog, exc, show_traceback)
        missing = MissingExtra(exc.name or top, extra)
        return _fail(prog, str(missing), exit_codes.USAGE)
    except Exception as exc:  # noqa: BLE001 - every failure ends in one line and a code
        for group in groups:
            for kind, code in group.errors().items():
                if isinstance(exc, kind):
                    return _fail(prog, _said(exc), code)
        return _bug(prog, exc, show_traceback)
    return code


def describe(exc: BaseException) -> str:
    """`Type: message`, with the service's own message where the exception carries one."""
    message = getattr(exc, "message", None)
    try:
        return f"{type(exc).__name__}: {message or exc}"
    except Exception:  # noqa: BLE001 - some SDK exceptions fail in their own __str__
        return f"{type(exc).__name__}: {exc.args!r}"


def _said(exc: BaseException) -> str:
    """Our own errors speak for themselves; a library's are named by their type."""
    return str(exc) if type(exc).__module__.startswith("scorehost.") else describe(exc)


def _fail(prog: str, message: str, code: int) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return code


def _bug(prog: str, exc: BaseException, show_traceback: bool) -> int:
    """An error no product named: scorehost's own bug, never passed off as the user's."""
    if show_traceback:
        traceback.print_exception(exc)
    else:
        print(
            f"{prog}: unexpected error: {describe(exc)}\nThis is a bug in scorehost. Run the "
            "same command as `scorehost --debug ...` for its traceback, and report it.",
            file=sys.stderr,
        )
    return exit_codes.FAILED


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
