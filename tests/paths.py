"""Where the test suite finds the project's files."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "fixtures" / "scripts"
TUTORIAL_SCRIPT = ROOT / "examples" / "mnist" / "score.py"
