"""Capacity plan: how many replicas of which size serve R requests/s within a p99 latency.

The only input is what `make bench` measured on one machine (bench/results.json): throughput and
p99 of one replica with one worker per core, at saturation. The model, stated so it can be
checked against a real load test:

- Scoring is CPU-bound and scorehost runs one worker per core, so one core serves
  `rps / workers` requests/s and throughput grows linearly with cores per replica.
- At saturation latency is queueing (Little's law): serving a fraction f of the saturated
  throughput cuts the queue, and p99, by about f. So a p99 target below the measured p99 is
  met by loading each core with only `target_p99 / measured_p99` of its saturated throughput.
- Below about four times one request's CPU time (measured with sequential single requests:
  p99 17 ms for 4.5 ms of CPU), no number of replicas helps: the request itself is too slow.
- Replicas run at `utilization` (default 70%) of that so autoscaling has time to react and one
  replica can restart; at least `min_replicas` (default 2) where the target supports more than one.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

from scorehost.deploy.shared import vm_sizes

DEFAULT_PROFILE = "scorehost, tutorial score.py"
HOURS_PER_MONTH = 730
P99_FLOOR_RATIO = 4.0  # p99 / CPU time of one request, with no queue (see the module docstring)
BASE_RSS_MB = 150  # the supervisor process and page cache next to the workers


class CapacityError(ValueError):
    """The measurements are missing or the target cannot be met; the message says why."""


@dataclass(frozen=True)
class Measured:
    profile: str
    machine: str
    date: str
    workers: int
    rps: float
    p99_ms: float
    rss_mb: float

    @property
    def core_rps(self) -> float:
        return self.rps / self.workers

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000.0 / self.core_rps


@dataclass(frozen=True)
class Size:
    """One replica's shape on a target: cores, memory, and how replicas are billed."""

    target: str
    name: str
    cores: int
    memory_gb: float
    max_replicas: int
    billing: str


_ML_BILLING = "per instance-hour of the VM size (Azure ML reserves 20% extra quota for upgrades)"
_K8S_BILLING = "node VMs (pods packed onto nodes) plus the cluster's load balancer"
_ACI_BILLING = "per vCPU-second and GB-second while the group runs"
_ENDPOINT_SIZES = tuple(
    size
    for size in vm_sizes.SIZES
    if size.name in ("Standard_F4s_v2", "Standard_F8s_v2", "Standard_F16s_v2")
)

SIZES = (
    Size("aci", "4 vCPU / 16 GB container group", 4, 16, 1, _ACI_BILLING),
    *(
        Size("online-endpoint", vm.name, vm.cores, vm.memory_gb, 1000, _ML_BILLING)
        for vm in _ENDPOINT_SIZES
    ),
    Size("aks / kubernetes", "pod: 2 CPU / 2 GiB", 2, 2, 5000, _K8S_BILLING),
    Size("aks / kubernetes", "pod: 4 CPU / 4 GiB", 4, 4, 5000, _K8S_BILLING),
)


@dataclass(frozen=True)
class Option:
    target: str
    size: str
    fits: bool
    replicas: int
    autoscale_min: int
    autoscale_max: int
    cores_total: int
    memory_gb_per_replica_needed: float
    rps_per_replica: float
    core_hours_per_month: int
    cost_drivers: str
    why_not: str = ""


def load_measured(path: Path, profile: str = DEFAULT_PROFILE) -> Measured:
    try:
        report = json.loads(path.read_text())
    except FileNotFoundError:
        raise CapacityError(f"{path} not found: run `make bench` or pass --results") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise CapacityError(f"{path}: {exc}") from None
    rows = {row.get("name"): row for row in report.get("results", [])}
    row = rows.get(profile)
    if row is None or not row.get("rps") or row.get("errors"):
        names = ", ".join(repr(name) for name in rows if str(name).startswith("scorehost"))
        raise CapacityError(
            f"profile {profile!r} has no clean measurement in {path}; one of {names}"
        )
    return Measured(
        profile=profile,
        machine=str(report.get("machine", "?")),
        date=str(report.get("date", "?")),
        # each row says how many workers it ran on (the report's count is the default)
        workers=int(row.get("workers", report.get("workers", 1))),
        rps=float(row["rps"]),
        p99_ms=float(row["p99_ms"]),
        rss_mb=float(row["rss_mb"]),
    )


def per_core_rps(measured: Measured, p99_ms: float, utilization: float) -> float:
    """Requests/s one core can take and still answer 99% of them within p99_ms."""
    floor = P99_FLOOR_RATIO * measured.cpu_ms_per_request
    if p99_ms < floor:
        raise CapacityError(
            f"p99 {p99_ms:g} ms is below what one request needs: {measured.cpu_ms_per_request:.1f}"
            f" ms of CPU, about {floor:.0f} ms at p99 with no queue ({measured.profile}). More "
            "replicas cannot help; send rows in batches, use .npy bodies or micro-batching "
            "(see docs/performance.md), or a lighter model"
        )
    return measured.core_rps * min(1.0, p99_ms / measured.p99_ms) * utilization


def plan(
    measured: Measured,
    rps: float,
    p99_ms: float,
    utilization: float = 0.7,
    min_replicas: int = 2,
) -> list[Option]:
    if rps <= 0 or p99_ms <= 0:
        raise CapacityError("--rps and --p99-ms must be positive")
    if not 0 < utilization <= 1:
        raise CapacityError(f"--utilization must be in (0, 1], got {utilization:g}")
    core_rps = per_core_rps(measured, p99_ms, utilization)
    return [_option(size, measured, rps, core_rps, min_replicas) for size in SIZES]


def _option(size: Size, measured: Measured, rps: float, core_rps: float, floor: int) -> Option:
    replica_rps = core_rps * size.cores
    needed = math.ceil(rps / replica_rps)
    replicas = max(needed, min(floor, size.max_replicas))
    memory_gb = round((BASE_RSS_MB + measured.rss_mb * size.cores) / 1024, 2)
    why_not = ""
    if needed > size.max_replicas:
        why_not = (
            f"needs {needed} replicas; {size.target} runs at most {size.max_replicas} "
            "(one container group, no autoscale, no load balancer)"
        )
    elif memory_gb > size.memory_gb:
        why_not = f"needs {memory_gb} GB per replica, {size.name} has {size.memory_gb}"
    return Option(
        target=size.target,
        size=size.name,
        fits=not why_not,
        replicas=replicas,
        autoscale_min=replicas,
        autoscale_max=min(size.max_replicas, 2 * replicas),
        cores_total=replicas * size.cores,
        memory_gb_per_replica_needed=memory_gb,
        rps_per_replica=round(replica_rps, 1),
        core_hours_per_month=replicas * size.cores * HOURS_PER_MONTH,
        cost_drivers=size.billing,
        why_not=why_not,
    )
