"""How a deploy command ends: the errors it reports and the one mapping to exit codes.

0 done, 2 invalid configuration (the field is named), 3 Azure refused or failed (its reason and
the container's last log lines are printed), 4 the deployed service failed its smoke test."""

import sys
from collections.abc import Callable

EXIT_CONFIG, EXIT_DEPLOY_FAILED, EXIT_SMOKE_TEST_FAILED = 2, 3, 4


class ConfigError(ValueError):
    """A setting is invalid; the message names the field. Exit code 2."""


class RolloutFailed(RuntimeError):
    """Azure reports a create/update failed; `logs` holds the container's last lines."""

    def __init__(self, message: str, logs: str = "") -> None:
        super().__init__(message)
        self.logs = logs


class PushError(RuntimeError):
    """docker tag/login/push failed; the message carries docker's own error."""


def run_command(command: Callable[[], int]) -> int:
    """Run a deploy command, turning what it raises into one line on stderr and an exit code."""
    try:
        return command()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("azure"):
            raise
        print(
            f"{exc.name} is not installed for {sys.executable}: run `make install` and use "
            ".venv/bin/scorehost deploy <target>, or pip install 'scorehost[deploy]' into this "
            "Python",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except (RolloutFailed, PushError) as exc:
        print(f"deployment failed: {exc}", file=sys.stderr)
        logs = getattr(exc, "logs", "")
        if logs:
            print(f"--- last container log lines ---\n{logs}", file=sys.stderr)
        return EXIT_DEPLOY_FAILED
    except Exception as exc:  # noqa: BLE001 - every Azure failure ends as exit 3 with its reason
        print(f"deployment failed: {describe(exc)}", file=sys.stderr)
        return EXIT_DEPLOY_FAILED


def azure_reason(exc: BaseException) -> str:
    """`Type: message`, with Azure's own message where the SDK's exception carries one."""
    message = getattr(exc, "message", None)
    return f"{type(exc).__name__}: {message}" if message else describe(exc)


def describe(exc: BaseException) -> str:
    try:
        return f"{type(exc).__name__}: {exc}"
    except Exception:  # noqa: BLE001 - some SDK exceptions fail in their own __str__
        return f"{type(exc).__name__}: {getattr(exc, 'message', repr(exc.args))}"
