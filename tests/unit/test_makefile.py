"""`make help` lists every target the Makefile declares, as the README promises."""

import re
import subprocess
from pathlib import Path

from tests.paths import ROOT


def test_make_help_lists_every_phony_target() -> None:
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony is not None
    targets = set(phony.group(1).split())
    listed = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    shown = {line.split()[1] for line in listed.splitlines() if line.strip().startswith("make ")}
    assert "k8s-check" in shown  # a name with a digit
    assert targets == shown


def test_make_serve_installs_the_server_and_the_tutorial_not_the_dev_tools(tmp_path: Path) -> None:
    fresh = tmp_path / "venv"
    plan = subprocess.run(
        ["make", "-n", "serve", f"VENV={fresh}", f"MODEL_DIR={tmp_path / 'model'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '-e ".[tutorial]"' in plan
    assert "--group dev" not in plan and "deploy" not in plan
    tests = subprocess.run(
        ["make", "-n", "pytest", f"VENV={fresh}"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    # the same venv, extended with every extra and the dev dependency group (pip >= 25.1)
    assert '-e ".[tutorial]"' in tests and '"pip>=25.1"' in tests
    assert '-e ".[tutorial,deploy-v1,skops,typed,debug,build,telemetry,batch]" --group dev' in tests
