"""pyproject.toml's floors are true: the server's unit tests pass with the lowest version of
each direct dependency installed (scripts/floors.sh, `make floors`)."""

import os
import subprocess

import pytest

from tests.paths import ROOT

pytestmark = [pytest.mark.package, pytest.mark.network, pytest.mark.timeout(1200)]


def test_the_unit_tests_pass_at_the_lowest_versions_pyproject_allows(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    venv = tmp_path_factory.mktemp("floors") / "venv"
    result = subprocess.run(
        [ROOT / "scripts" / "floors.sh"],
        cwd=ROOT,
        env={**os.environ, "FLOORS_VENV": str(venv)},
        capture_output=True,
        text=True,
        timeout=1100,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "fastapi==0.143.0" in result.stdout  # the floor itself was installed
    assert " passed" in result.stdout and " failed" not in result.stdout
