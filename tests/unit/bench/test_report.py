"""docs/benchmarks.md's goals for issue 32, from one run's rows."""

from typing import Any

from bench.report import _goals_32


def _row(name: str, **figures: float) -> dict[str, Any]:
    defaults = {"p99_ms": 50.0, "rps": 400.0, "pss_idle_mb": 170.0, "start_s": 1.5}
    return {"name": name, **defaults, "rows_10000_s": 1.3, **figures}


def test_each_goal_is_judged_against_azmlinfsrv_in_the_same_run() -> None:
    rows = [
        _row("azmlinfsrv, tutorial score.py", pss_idle_mb=276.0),
        _row("azmlinfsrv, tutorial score.py, 1 worker"),
        _row("scorehost, tutorial score.py", p99_ms=45.0, rps=480.0, pss_idle_mb=186.0),
        _row("scorehost, tutorial score.py, 1 worker", p99_ms=60.0, pss_idle_mb=158.0),
    ]
    goals = _goals_32({row["name"]: row for row in rows})
    assert goals[0].startswith("| tutorial script, 2 workers, c=32") and "| met |" in goals[0]
    assert "**not met**" in goals[1] and "p99 1.20x (60.0 vs 50.0 ms)" in goals[1]
    assert "| met | 1 worker 158 vs 170 MB; 2 workers 186 vs 276 MB" in goals[2]
    assert "**not met**" in goals[3]  # start-up 1.00x, the goal is 0.8x
