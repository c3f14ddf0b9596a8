"""`scorehost capacity`: replicas and sizes per target for a request rate and a p99 latency."""

import argparse
import json
from pathlib import Path

from scorehost.app import exit_codes
from scorehost.app.commands import CommandGroup, SubParsers, count, positive
from scorehost.deploy.capacity import plan, report
from scorehost.deploy.capacity.plan import DEFAULT_PROFILE, CapacityError


def _register(commands: SubParsers) -> None:
    capacity = commands.add_parser(
        "capacity",
        help="replicas and sizes per Azure/Kubernetes target for a request rate and p99",
        description="Size a deployment from what `make bench` measured (bench/results.json): "
        "replicas, instance sizes, autoscale bounds and cost drivers per target. "
        "The model and its limits: docs/scale-out.md.",
    )
    capacity.add_argument(
        "--rps", type=positive, required=True, help="requests per second to serve (one row each)"
    )
    capacity.add_argument(
        "--p99-ms", type=positive, required=True, help="99th percentile latency to stay under, ms"
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
        type=count,
        default=2,
        help="at least this many where a target runs more than one (default: %(default)s)",
    )
    capacity.add_argument("--json", action="store_true", help="print JSON instead of a table")
    capacity.set_defaults(handler=_capacity)


def _capacity(args: argparse.Namespace) -> int:
    measured = plan.load_measured(args.results, args.profile)
    options = plan.plan(measured, args.rps, args.p99_ms, args.utilization, args.min_replicas)
    data = report.report(measured, args.rps, args.p99_ms, options)
    print(json.dumps(data, indent=2) if args.json else report.render(data))
    return 0


COMMANDS = CommandGroup(_register, errors=lambda: {CapacityError: exit_codes.USAGE})
