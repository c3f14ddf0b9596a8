"""What the azure-core deploy commands share: flags generated from a settings model (so --help
and the TOML file name the same fields), Azure credentials, the smoke test, exit codes."""

import argparse
import json
import os
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from deploy.config import ConfigError
from deploy.registry import DockerCli, PushError, RegistryLogin

EXIT_CONFIG, EXIT_DEPLOY_FAILED, EXIT_SMOKE_TEST_FAILED = 2, 3, 4
SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mnist" / "sample.json"
_SP_VARIABLES = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")


class RolloutFailed(RuntimeError):
    """Azure reports a create/update failed; `logs` holds the container's last lines."""

    def __init__(self, message: str, logs: str = "") -> None:
        super().__init__(message)
        self.logs = logs


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _int_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 10,50,100, got {text!r}") from None


def add_config_flags(parser: argparse.ArgumentParser, model: type[BaseModel]) -> None:
    """One --flag per field of `model`, typed as the field is; help from its docstring."""
    group = parser.add_argument_group("settings (override the TOML file)")
    for name, info in model.model_fields.items():
        flag = f"--{name.replace('_', '-')}"
        default = info.default_factory() if info.default_factory else info.default  # type: ignore[call-arg]
        help_text = " ".join((info.description or "").split()).replace("%", "%%")
        help_text += f" [built in: {default}]" if default is not None else ""
        annotation = info.annotation
        if annotation is not None and isinstance(annotation, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        origin = typing.get_origin(annotation)
        if annotation is bool:
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None,
                               help=help_text)  # fmt: skip
        elif origin is dict:
            group.add_argument(flag, type=_pair, action="append", metavar="KEY=VALUE",
                               help=f"{help_text} (repeat; replaces the file's)")  # fmt: skip
        elif origin is list:
            group.add_argument(flag, type=_int_list, metavar="N,N,...", help=help_text)
        elif origin is typing.Literal:
            group.add_argument(flag, choices=typing.get_args(annotation), help=help_text)
        else:
            convert: Any = annotation if callable(annotation) else str
            group.add_argument(flag, type=convert, help=help_text)


def overrides(args: argparse.Namespace, model: type[BaseModel]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in model.model_fields:
        value = getattr(args, name, None)
        if value is not None:
            values[name] = dict(value) if isinstance(value, list) and value and isinstance(
                value[0], tuple) else value  # fmt: skip
    return values


def add_auth_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--auth", choices=["default", "cli", "sp", "msi"], default="default",
        help="default: azure-identity's DefaultAzureCredential without browser login; cli: az "
        "login; sp: a service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID, "
        "AZURE_CLIENT_SECRET; msi: the managed identity of this Azure machine",
    )  # fmt: skip


def make_credential(mode: str, environ: dict[str, str]) -> Any:
    """Explicit credentials only: never a browser window that would hang a CI job."""
    from azure import identity

    if mode == "cli":
        return identity.AzureCliCredential()
    if mode == "msi":
        return identity.ManagedIdentityCredential()
    if mode == "sp":
        missing = [name for name in _SP_VARIABLES if not environ.get(name)]
        if missing:
            raise ConfigError(f"auth: --auth sp needs {', '.join(missing)}")
        return identity.ClientSecretCredential(*(environ[name] for name in _SP_VARIABLES))
    return identity.DefaultAzureCredential(exclude_interactive_browser_credential=True)


def planned_image(config: Any, docker: DockerCli, registry: str) -> tuple[str, list[str]]:
    """A dry run's image reference and first steps; a local image never built is named, not
    fatal (a fresh checkout has not run `make image` yet)."""
    if config.image_is_pinned:
        return config.image, []
    steps = [f"docker tag/push {config.image} to {registry}/{config.repository}; read the digest"]
    if not docker.image_exists(config.image):
        steps.insert(0, f"NOTE: {config.image} is not a local image yet; build it first "
                        "(make image)")  # fmt: skip
    return f"{registry}/{config.repository}@sha256:<digest read back after push>", steps


def pushed_image(
    config: Any, docker: DockerCli, login_for: Callable[[], RegistryLogin | str | None]
) -> str:
    """The image by digest: as given, or the local image tagged, pushed and read back.
    `login_for` gives the registry to push to (asked only once the local image is found)."""
    if config.image_is_pinned:
        return str(config.image)
    if not docker.image_exists(config.image):
        raise ConfigError(
            f"image: {config.image} is not a local image (run `make image`) nor a "
            "registry/repo@sha256:... reference"
        )
    login = login_for()
    if login is None:
        raise ConfigError(
            f"registry: {config.image} is a local image; give --registry to push it to, or "
            "--image <registry>/<repo>@sha256:... of an image already pushed"
        )
    tag = config.image.rsplit(":", 1)[-1] if ":" in config.image else "latest"
    image_ref = docker.push(config.image, login, config.repository, tag)
    print(f"pushed {config.image} as {image_ref}", file=sys.stderr)
    return image_ref


def smoke_test(
    url: str, key: str | None, sample: Path, headers: dict[str, str] | None = None
) -> str | None:
    """Score the sample through `url`; None when it answers well, else what went wrong."""
    from app.client import ScoringClient, ScoringError

    rows = json.loads(sample.read_text())["data"]
    try:
        with ScoringClient(url, key=key, retries=2, headers=headers) as client:
            answer = client.score(rows)
    except ScoringError as exc:
        return str(exc)
    if len(answer) != len(rows):
        return f"{len(rows)} rows scored, {len(answer)} answers"
    print(json.dumps({"scoring_uri": url, **(headers or {}), "prediction": answer.tolist()}))
    return None


def run_command(command: Callable[[], int]) -> int:
    """Exit codes: 2 configuration (field named), 3 Azure refused or failed (reason printed)."""
    try:
        return command()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("azure"):
            raise
        print(f"{exc.name} is not installed: pip install 'scorehost[deploy]'", file=sys.stderr)
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


def describe(exc: BaseException) -> str:
    try:
        return f"{type(exc).__name__}: {exc}"
    except Exception:  # noqa: BLE001 - some SDK exceptions fail in their own __str__
        return f"{type(exc).__name__}: {getattr(exc, 'message', repr(exc.args))}"


def mask(key: str | None) -> str:
    """Enough of an API key to tell which one it is, never the key."""
    return f"{key[:4]}…{key[-2:]}" if key and len(key) > 8 else "***"


def wait_for(poller: Any, what: str, timeout_s: float, logs: Callable[[], str] = str) -> Any:
    """An azure-core long-running operation's result; RolloutFailed with Azure's reason (and
    the container's last lines from `logs`) if it fails or outlasts timeout_s."""
    try:
        poller.wait(timeout=timeout_s)
        if not poller.done():
            raise RolloutFailed(f"{what} did not finish within {timeout_s:.0f} s", logs())
        return poller.result()
    except RolloutFailed:
        raise
    except Exception as exc:  # Azure's reason, whatever the SDK raised
        message = getattr(exc, "message", None) or str(exc)
        raise RolloutFailed(f"{what} failed: {type(exc).__name__}: {message}", logs()) from exc


def environment() -> dict[str, str]:
    return dict(os.environ)
