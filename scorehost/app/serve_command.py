"""`scorehost serve` (flags generated from Settings) and `scorehost probe`."""

import argparse
import ast

from pydantic import ValidationError

from scorehost.app import probe
from scorehost.app.commands import CommandGroup, SubParsers, UsageError, require_extra
from scorehost.app.config_file import ConfigFileError
from scorehost.app.flags import add_model_flags, describe_errors, given
from scorehost.app.keys_file import KeysFileError, read_keys_file
from scorehost.app.settings import Settings

# Azure ML's server's flags (`azmlinfsrv --help`), accepted as they are written in its docs.
AZMLINFSRV_FLAGS = {
    "entry_script": ["--entry_script"],
    "model_dir": ["--model_dir"],
    "workers": ["--worker_count"],
    "cors_origins": ["--access_control_allow_origins"],
    "health_port": ["--health_port"],
    "debug_port": ["--debug_port"],
    "config_file": ["--config_file"],
}


def _register(commands: SubParsers) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve a score.py over HTTP",
        description="Serve an Azure ML score.py: init() once per worker, POST /score -> run(). "
        "Every option can also come from the environment (Azure ML's names or SCOREHOST_*); "
        "API keys only from the environment or a file (argv is visible to every process).",
    )
    add_model_flags(serve, Settings, env_names=Settings.names_of, aliases=AZMLINFSRV_FLAGS)
    serve.add_argument(
        "--appinsights_instrumentation_key",
        dest="app_insights_key",
        help="Azure ML's flag: turns Application Insights on with this key (prefer "
        "AML_APP_INSIGHTS_KEY: a flag is visible to every process on the machine)",
    )
    serve.set_defaults(handler=_serve)
    probe = commands.add_parser(
        "probe",
        help="check that the local server is healthy (for Docker's HEALTHCHECK)",
        description="GET / on this machine's server: the URL in the probe file when "
        "SCOREHOST_PROBE_FILE is set (what serve wrote), else port SCOREHOST_PORT; "
        "exit 0 on 200 Healthy, 1 otherwise. The image's HEALTHCHECK runs the same check "
        "without the server's imports: python -m scorehost.app.probe FILE.",
    )
    probe.set_defaults(handler=_probe)


# Secrets have no flag of their own (argv is visible to every process); this one is Azure ML's.
SECRET_FLAGS = {"app_insights_key": ["--appinsights_instrumentation_key"]}


def _set_by(field: str) -> str:
    """How a user sets `field`: its flags (only those that exist) and variables."""
    info = Settings.model_fields.get(field)
    secret = info is not None and "SecretStr" in str(info.annotation)
    flags = (
        SECRET_FLAGS.get(field, [])
        if secret
        else [f"--{field.replace('_', '-')}", *AZMLINFSRV_FLAGS.get(field, [])]
    )
    return f"{field} (" + " or ".join([*flags, *Settings.names_of(field)]) + ")"


def serve_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with the flags given on the command line on top."""
    values = given(args, Settings)
    if getattr(args, "app_insights_key", None) is not None:
        values.update(app_insights_key=args.app_insights_key, app_insights_enabled=True)
    try:
        settings = Settings(**values)
    except ConfigFileError as exc:
        raise UsageError(str(exc)) from None
    except ValidationError as exc:
        problems = describe_errors(exc, Settings, _set_by)
        raise UsageError(f"invalid settings: {problems}") from None
    if settings.debug_port is not None:
        require_extra("debug", ["debugpy"], "a debug port (AZUREML_DEBUG_PORT or --debug-port)")
    if settings.reload and settings.workers not in (1, "auto"):
        raise UsageError(
            f"--reload restarts a single worker; drop --workers {settings.workers} "
            "(or WORKER_COUNT) while developing"
        )
    script = settings.entry_script_path
    if not script.is_file():
        raise UsageError(
            f"entry script {script} not found (set --entry-script or AZUREML_ENTRY_SCRIPT)"
        )
    try:
        ast.parse(script.read_bytes(), filename=str(script))
    except SyntaxError as exc:
        raise UsageError(f"{script} line {exc.lineno}: {exc.msg}") from None
    if settings.api_keys_file is not None:
        try:
            read_keys_file(settings.api_keys_file)
        except KeysFileError as exc:
            raise UsageError(str(exc)) from None
    return settings


def _serve(args: argparse.Namespace) -> int:
    settings = serve_settings(args)
    from scorehost.app.process.supervisor import Supervisor

    return Supervisor(settings).run()


def _probe(_: argparse.Namespace) -> int:
    settings = Settings()
    if settings.probe_file is not None:
        return probe.main([str(settings.probe_file)])
    return probe.report(f"http://127.0.0.1:{settings.port}/")


COMMANDS = CommandGroup(_register)
