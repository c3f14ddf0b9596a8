"""How many CPUs the server may use: the container's cgroup CPU quota (v2 cpu.max, v1
cpu.cfs_quota_us over cpu.cfs_period_us) rounded up, never more than the CPUs this process may
run on. What `--workers auto` starts one worker per."""

import math
import os
from pathlib import Path

_CGROUP = Path("/sys/fs/cgroup")
MAX_WORKERS = 64


def _quota(cgroup: Path) -> float | None:
    """CPUs the cgroup's quota allows, or None when it has none."""
    try:  # v2: "max 100000" or "150000 100000"
        quota, period = (cgroup / "cpu.max").read_text().split()
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    for v1 in (cgroup / "cpu", cgroup / "cpu,cpuacct"):
        try:
            quota_us = int((v1 / "cpu.cfs_quota_us").read_text())
            period_us = int((v1 / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        return None if quota_us <= 0 or period_us <= 0 else quota_us / period_us
    return None


def container_cpus(cgroup: Path = _CGROUP) -> int:
    """The quota's CPUs rounded up (1.5 CPUs keep two workers busy), capped by the CPUs the
    process may run on, at least 1."""
    allowed = len(os.sched_getaffinity(0))
    quota = _quota(cgroup)
    cpus = allowed if quota is None else min(allowed, math.ceil(quota))
    return max(1, cpus)


def worker_count(workers: int | str) -> int:
    """The number of workers to start for the `workers` setting: itself, or for "auto" one per
    CPU of the container (at most MAX_WORKERS)."""
    if isinstance(workers, int):
        return workers
    return min(MAX_WORKERS, container_cpus())
