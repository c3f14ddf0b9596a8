"""`scorehost serve` (flags generated from Settings) and `scorehost probe`."""

import argparse
import ast
import sys

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from app.commands import CommandGroup, SubParsers, UsageError
from app.flags import add_model_flags, given
from app.settings import Settings

# Internal, or set by the supervisor itself.
_NOT_FLAGS = frozenset({"metrics_dir"})


def _register(commands: SubParsers) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve a score.py over HTTP",
        description="Serve an Azure ML score.py: init() once per worker, POST /score -> run(). "
        "Every option can also come from the environment (Azure ML's names or SCOREHOST_*); "
        "API keys only from the environment or a file (argv is visible to every process).",
    )
    add_model_flags(serve, Settings, skip=_NOT_FLAGS, env_names=Settings.names_of)
    serve.set_defaults(handler=_serve)
    probe = commands.add_parser(
        "probe",
        help="check that the local server is healthy (for Docker's HEALTHCHECK)",
        description="GET / on this machine's server (port from SCOREHOST_PORT); "
        "exit 0 on 200 Healthy, 1 otherwise.",
    )
    probe.set_defaults(handler=_probe)


def _describe(error: ErrorDetails) -> str:
    field = str(error["loc"][0]).removeprefix("SCOREHOST_").lower()
    names = " or ".join([f"--{field.replace('_', '-')}", *Settings.names_of(field)])
    return f"{field} = {error.get('input')!r}: {error['msg']} (set by {names})"


def serve_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with the flags given on the command line on top."""
    try:
        settings = Settings(**given(args, Settings))
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise UsageError(f"invalid settings: {problems}") from None
    script = settings.entry_script_path
    if not script.is_file():
        raise UsageError(
            f"entry script {script} not found (set --entry-script or AZUREML_ENTRY_SCRIPT)"
        )
    try:
        ast.parse(script.read_bytes(), filename=str(script))
    except SyntaxError as exc:
        raise UsageError(f"{script} line {exc.lineno}: {exc.msg}") from None
    if settings.model_dir is not None and not settings.model_dir.is_dir():
        raise UsageError(f"model folder {settings.model_dir} not found (set --model-dir)")
    if settings.api_keys_file is not None:
        try:
            settings.api_keys_file.read_bytes()
        except FileNotFoundError:
            raise UsageError(f"API keys file {settings.api_keys_file} not found") from None
        except OSError as exc:
            raise UsageError(
                f"API keys file {settings.api_keys_file} cannot be read: {exc.strerror} "
                "(the server runs as a non-root user; make the file and its folders readable)"
            ) from None
    return settings


def _serve(args: argparse.Namespace) -> int:
    settings = serve_settings(args)
    from app.process.supervisor import Supervisor

    return Supervisor(settings).run()


def _probe(_: argparse.Namespace) -> int:
    import httpx

    url = f"http://127.0.0.1:{Settings().port}/"
    try:
        response = httpx.get(url, timeout=3)
    except httpx.HTTPError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1
    print(f"{url}: {response.status_code} {response.text[:80]}")
    return 0 if response.status_code == 200 else 1


COMMANDS = CommandGroup(_register, usage_errors=(UsageError,))
