"""`--workers auto`: one worker per CPU the container's cgroup quota allows, as Docker's --cpus,
Kubernetes' CPU limit and Azure ML's instance types set it."""

import os
from pathlib import Path

import pytest

from scorehost.app import cpu
from scorehost.app.settings import Settings

ALLOWED = len(os.sched_getaffinity(0))


def _cgroup_v2(root: Path, cpu_max: str) -> Path:
    (root / "cpu.max").write_text(cpu_max + "\n")
    return root


def _cgroup_v1(root: Path, quota_us: int, period_us: int = 100_000) -> Path:
    folder = root / "cpu,cpuacct"
    folder.mkdir()
    (folder / "cpu.cfs_quota_us").write_text(f"{quota_us}\n")
    (folder / "cpu.cfs_period_us").write_text(f"{period_us}\n")
    return root


def test_a_quota_of_one_cpu_gives_one_worker(tmp_path: Path) -> None:
    assert cpu.container_cpus(_cgroup_v2(tmp_path, "100000 100000")) == 1


def test_a_fractional_quota_rounds_up_within_the_cpus_the_process_may_use(tmp_path: Path) -> None:
    # docker run --cpus 1.5: two workers keep 1.5 CPUs busy
    assert cpu.container_cpus(_cgroup_v2(tmp_path, "150000 100000")) == min(2, ALLOWED)


def test_no_quota_means_every_cpu_the_process_may_run_on(tmp_path: Path) -> None:
    assert cpu.container_cpus(_cgroup_v2(tmp_path, "max 100000")) == ALLOWED
    assert cpu.container_cpus(tmp_path / "no-cgroup-here") == ALLOWED


def test_cgroup_v1_quota(tmp_path: Path) -> None:
    assert cpu.container_cpus(_cgroup_v1(tmp_path, 50_000)) == 1  # half a CPU: still one


def test_cgroup_v1_without_a_quota(tmp_path: Path) -> None:
    assert cpu.container_cpus(_cgroup_v1(tmp_path, -1)) == ALLOWED


def test_auto_is_a_setting_a_number_stays_a_number() -> None:
    assert Settings(workers="auto").workers == "auto"
    assert Settings(workers="3").workers == 3  # as SCOREHOST_WORKERS=3 arrives
    assert cpu.worker_count(3) == 3
    assert 1 <= cpu.worker_count("auto") <= cpu.MAX_WORKERS


@pytest.mark.parametrize("value", ["0", "65", "all", "-1"])
def test_other_values_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="workers"):
        Settings(workers=value)
