"""`scorehost capacity`: a user sizes a deployment from what `make bench` measured."""

import json
from pathlib import Path
from typing import Any

import pytest

from scorehost.app.cli import main
from tests.paths import ROOT

PROFILE_1W = "scorehost, tutorial score.py, 1 worker"


def _bench(tmp_path: Path, rps: float = 400.0, p99_ms: float = 100.0) -> Path:
    path = tmp_path / "results.json"
    path.write_text(
        json.dumps(
            {
                "date": "2026-11-22T00:00:00+00:00",
                "machine": "x86_64, 2 cores",
                "workers": 2,
                "results": [
                    {
                        "name": "scorehost, tutorial score.py",
                        "rps": rps,
                        "p99_ms": p99_ms,
                        "errors": 0,
                        "rss_mb": 200.0,
                    },
                    {
                        "name": "scorehost, tutorial score.py, 1 worker",
                        "workers": 1,
                        "rps": rps / 2,
                        "p99_ms": p99_ms,
                        "errors": 0,
                        "rss_mb": 200.0,
                    },
                    {
                        "name": "scorehost, broken run",
                        "rps": 10.0,
                        "p99_ms": 5.0,
                        "errors": 3,
                        "rss_mb": 200.0,
                    },
                ],
            }
        )
    )
    return path


def _plan(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["capacity", "--json", *argv]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def _option(data: dict[str, Any], size: str) -> dict[str, Any]:
    option: dict[str, Any] = next(o for o in data["options"] if o["size"] == size)
    return option


def test_small_load_fits_one_aci_group_and_two_replicas_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _plan(capsys, "--rps", "100", "--p99-ms", "200", "--results", str(_bench(tmp_path)))

    # 200 req/s per core measured; 70% of it planned; p99 target above the measured p99
    assert data["measured"]["core_rps"] == 200
    aci = _option(data, "4 vCPU / 16 GB container group")
    assert (aci["fits"], aci["replicas"], aci["rps_per_replica"]) == (True, 1, 560.0)
    pods = _option(data, "pod: 2 CPU / 2 GiB")
    assert (pods["replicas"], pods["autoscale_min"], pods["autoscale_max"]) == (2, 2, 4)
    assert pods["core_hours_per_month"] == 2 * 2 * 730


def test_a_one_worker_measurement_counts_as_one_core(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = str(_bench(tmp_path))
    one = _plan(
        capsys, "--rps", "100", "--p99-ms", "200", "--results", results, "--profile", PROFILE_1W
    )
    two = _plan(capsys, "--rps", "100", "--p99-ms", "200", "--results", results)

    # 200 req/s on one worker is as much per core as 400 req/s on the report's two
    assert one["measured"]["core_rps"] == two["measured"]["core_rps"] == 200


def test_a_tighter_p99_than_measured_needs_proportionally_more_replicas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = str(_bench(tmp_path))
    loose = _plan(capsys, "--rps", "10000", "--p99-ms", "100", "--results", results)
    tight = _plan(capsys, "--rps", "10000", "--p99-ms", "50", "--results", results)

    loose_pods = _option(loose, "pod: 4 CPU / 4 GiB")["replicas"]
    tight_pods = _option(tight, "pod: 4 CPU / 4 GiB")["replicas"]
    assert loose_pods == 10000 // 560 + 1  # 560 req/s per 4-core pod
    assert tight_pods == 10000 // 280 + 1  # half the p99, half the load per pod
    aci = _option(tight, "4 vCPU / 16 GB container group")
    assert not aci["fits"]
    assert "at most 1" in aci["why_not"]


def test_an_unreachable_p99_exits_2_and_says_what_would_help(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["capacity", "--rps", "50", "--p99-ms", "10", "--results", str(_bench(tmp_path))])

    assert code == 2
    error = capsys.readouterr().err
    assert "5.0 ms of CPU" in error
    assert "More replicas cannot help" in error


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--results", "missing.json"], "missing.json not found: run `make bench`"),
        (["--profile", "scorehost, broken run"], "has no clean measurement"),
        (["--utilization", "1.5"], "--utilization must be in (0, 1]"),
    ],
)
def test_bad_inputs_exit_2_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    argv = [a if a != "missing.json" else str(tmp_path / a) for a in argv]
    base = ["capacity", "--rps", "100", "--p99-ms", "200"]
    if "--results" not in argv:
        base += ["--results", str(_bench(tmp_path))]

    assert main([*base, *argv]) == 2
    assert message in capsys.readouterr().err


def test_the_committed_bench_results_plan_the_scale_out_examples(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    for rps, p99 in (("100", "200"), ("1000", "150"), ("10000", "150")):
        assert main(["capacity", "--rps", rps, "--p99-ms", p99]) == 0
        table = capsys.readouterr().out
        assert "Standard_F8s_v2" in table
        assert "Cost drivers" in table
