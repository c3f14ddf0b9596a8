"""`scorehost` / `python -m app`: parse the command line, then hand over to one module."""

import argparse
import ast
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from app import __version__, cli_tutorial, exit_codes
from app.capacity import DEFAULT_PROFILE, CapacityError
from app.client import ScoringError
from app.datasets import DataNotFound
from app.digit_image import NotADigit
from app.download import DownloadError
from app.idx import IdxError
from app.settings import DEFAULT_PORT, Settings

EXIT_REMOTE = 1  # the service or the download source failed
EXIT_USAGE = exit_codes.USAGE


class UsageError(Exception):
    """Bad settings or arguments: reported in one line, exit code 2."""


def _serve_parser(commands: cli_tutorial.SubParsers) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve a score.py over HTTP",
        description="Serve an Azure ML score.py: init() once per worker, POST /score -> run(). "
        "Every option can also come from the environment (Azure ML's names or SCOREHOST_*).",
    )
    serve.add_argument("--entry-script", type=Path, help="score.py [AZUREML_ENTRY_SCRIPT]")
    serve.add_argument("--model-dir", type=Path, help="model folder [AZUREML_MODEL_DIR]")
    serve.add_argument("--host", help="listen address [SCOREHOST_HOST, default 127.0.0.1]")
    serve.add_argument("--port", type=int, help=f"port [SCOREHOST_PORT, default {DEFAULT_PORT}]")
    serve.add_argument("--workers", type=int, help="worker processes [WORKER_COUNT, default 1]")
    serve.add_argument(
        "--scoring-timeout-ms", type=int, help="run() deadline [SCORING_TIMEOUT_MS, default 60000]"
    )
    serve.add_argument(
        "--max-concurrent-runs",
        type=int,
        help="run() calls at once per worker [SCOREHOST_MAX_CONCURRENT_RUNS, default 1]",
    )
    serve.add_argument(
        "--max-body-bytes", type=int, help="body size limit [SCOREHOST_MAX_BODY_BYTES, 128 MiB]"
    )
    serve.add_argument(
        "--body-timeout-s", type=float, help="body upload deadline [SCOREHOST_BODY_TIMEOUT_S, 60]"
    )
    serve.add_argument(
        "--init-timeout-s", type=float, help="init() deadline [SCOREHOST_INIT_TIMEOUT_S, 600]"
    )
    serve.add_argument(
        "--max-batch-size", type=int, help="typed scripts: rows per merged run() [1 = off]"
    )
    serve.add_argument(
        "--max-batch-wait-ms", type=float, help="typed scripts: batch gathering time [5]"
    )
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--log-format", choices=["text", "json"], help="[SCOREHOST_LOG_FORMAT]")
    serve.add_argument(
        "--api-keys-file",
        type=Path,
        help="accepted API keys, one per line [SCOREHOST_API_KEYS_FILE]; keys can also come from "
        "SCOREHOST_PRIMARY_KEY / SCOREHOST_SECONDARY_KEY (never from flags: argv is visible)",
    )
    serve.add_argument(
        "--cors-origins", help="browser origins allowed, comma-separated [AML_CORS_ORIGINS]"
    )
    serve.add_argument("--debug", action="store_true", default=None, help="tracebacks in 500s")


def _probe_parser(commands: cli_tutorial.SubParsers) -> None:
    commands.add_parser(
        "probe",
        help="check that the local server is healthy (for Docker's HEALTHCHECK)",
        description="GET / on this machine's server (port from SCOREHOST_PORT); "
        "exit 0 on 200 Healthy, 1 otherwise.",
    )


def _capacity_parser(commands: cli_tutorial.SubParsers) -> None:
    capacity = commands.add_parser(
        "capacity",
        help="replicas and sizes per Azure/Kubernetes target for a request rate and p99",
        description="Size a deployment from what `make bench` measured (bench/results.json): "
        "replicas, instance sizes, autoscale bounds and cost drivers per target. "
        "The model and its limits: docs/scale-out.md.",
    )
    capacity.add_argument(
        "--rps",
        type=cli_tutorial.positive,
        required=True,
        help="requests per second to serve (one row each)",
    )
    capacity.add_argument(
        "--p99-ms",
        type=cli_tutorial.positive,
        required=True,
        help="99th percentile latency to stay under, in ms",
    )
    capacity.add_argument(
        "--results",
        type=Path,
        default=Path("bench/results.json"),
        help="make bench's output (default: %(default)s)",
    )
    capacity.add_argument(
        "--profile",
        default=DEFAULT_PROFILE,
        help="which measured setup to plan for (default: %(default)r)",
    )
    capacity.add_argument(
        "--utilization",
        type=float,
        default=0.7,
        help="share of a replica's capacity to plan on (default: %(default)s)",
    )
    capacity.add_argument(
        "--min-replicas",
        type=cli_tutorial.count,
        default=2,
        help="at least this many where a target runs more than one (default: %(default)s)",
    )
    capacity.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _capacity(args: argparse.Namespace) -> int:
    from app import capacity

    measured = capacity.load_measured(args.results, args.profile)
    options = capacity.plan(measured, args.rps, args.p99_ms, args.utilization, args.min_replicas)
    data = capacity.report(measured, args.rps, args.p99_ms, options)
    print(json.dumps(data, indent=2) if args.json else capacity.render(data))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scorehost", description=__doc__)
    parser.add_argument("--version", action="version", version=f"scorehost {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _serve_parser(commands)
    _probe_parser(commands)
    _capacity_parser(commands)
    cli_tutorial.add_parsers(commands)
    return parser


def _describe(error: ErrorDetails) -> str:
    field = str(error["loc"][0]).removeprefix("SCOREHOST_").lower()
    names = " or ".join([f"--{field.replace('_', '-')}", *Settings.names_of(field)])
    return f"{field} = {error.get('input')!r}: {error['msg']} (set by {names})"


def serve_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with the flags given on the command line on top."""
    overrides = {
        name: value
        for name, value in vars(args).items()
        if name in Settings.model_fields and value is not None
    }
    try:
        settings = Settings(**overrides)
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
    from app.supervisor import Supervisor

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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"serve": _serve, "probe": _probe, "capacity": _capacity}
    try:
        return handlers.get(args.command, cli_tutorial.run)(args)
    except (UsageError, CapacityError, DataNotFound, IdxError, NotADigit) as exc:
        print(f"scorehost {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ScoringError, DownloadError) as exc:
        print(f"scorehost {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_REMOTE
