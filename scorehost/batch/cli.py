"""`scorehost batch`: score a whole dataset with Azure ML's batch contract, on this machine's
cores or on a Dask cluster.

Exit codes: 0 every mini-batch ran (failed items within --error-threshold are listed in
errors.jsonl), 1 the run stopped (init() failed, or more items failed than the threshold
allows), 2 bad options or input."""

import argparse
import sys

from pydantic import ValidationError

from scorehost.app.commands import CommandGroup, SubParsers, require_extra
from scorehost.app.flags import add_model_flags, describe_errors, given
from scorehost.batch.errors import BatchUsageError
from scorehost.batch.options import BatchOptions

REQUIRED = ("entry_script", "input", "output")
NEEDS = ("pandas", "pebble", "tqdm")  # the batch extra; distributed only with --dask


def _register(commands: SubParsers) -> None:
    batch = commands.add_parser(
        "batch",
        help="score a folder of files or a table with init()/run(mini_batch), here or on Dask",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_flags(
        batch,
        BatchOptions,
        skip=frozenset({"script_arguments"}),
        aliases={
            # v2 batch deployments' names beside v1's
            "process_count_per_node": ("--workers", "--max-concurrency-per-instance"),
            "run_invocation_timeout": ("--timeout",),
            "append_row_file_name": ("--output-file-name",),
            "mini_batch_error_threshold": ("--allowed-failed-count",),
        },
    )
    batch.add_argument(
        "script_arguments",
        nargs="*",
        metavar="-- SCRIPT_ARGUMENTS",
        help="after --: the script's own arguments (its sys.argv, as Azure ML passes "
        "`arguments` or `program_arguments`); scorehost's flags never reach it",
    )
    batch.set_defaults(handler=_batch)


def options_from(args: argparse.Namespace) -> BatchOptions:
    values = given(args, BatchOptions)
    values["script_arguments"] = list(getattr(args, "script_arguments", None) or [])
    missing = [_flag(name) for name in REQUIRED if name not in values]
    if missing:
        raise BatchUsageError(f"{', '.join(missing)} required")
    try:
        return BatchOptions(**values)
    except ValidationError as exc:
        raise BatchUsageError(describe_errors(exc, BatchOptions, _flag)) from None


def _flag(field: str) -> str:
    return f"--{field.replace('_', '-')}"


def _batch(args: argparse.Namespace) -> int:
    options = options_from(args)
    require_extra("batch", [*NEEDS, *(["distributed"] if options.dask else [])], "scorehost batch")
    from scorehost.batch.driver import Bar, Run

    if not options.entry_script.is_file():
        raise BatchUsageError(f"--entry-script {options.entry_script}: no such file")
    run = Run(options)
    bar = Bar(run.items, options.progress)
    try:
        summary = run.execute(bar)
    finally:
        bar.close()
    print(
        f"{summary.succeeded} of {summary.items} items succeeded, {summary.failed} failed, "
        f"{summary.retried} retried; {summary.mini_batches} mini-batches "
        f"({summary.resumed} done by an earlier run); {summary.seconds:g} s, "
        f"{summary.items_per_s:.1f} items/s scored by this run"
        + (
            f" ({summary.running_items_per_s:.1f} once running)"
            if summary.running_items_per_s
            else ""
        )
    )
    if summary.rows_file:
        print(f"rows: {summary.rows_file}")
    if summary.failed:
        print(f"failures: {options.output / 'errors.jsonl'}", file=sys.stderr)
    print(f"logs: {options.output / 'logs'} (the script's output: logs/user/)")
    if summary.stopped:
        print(f"scorehost batch: stopped: {summary.stopped}", file=sys.stderr)
        return 1
    return 0


COMMANDS = CommandGroup(_register)
