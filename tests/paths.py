"""Where the test suite finds the project's files."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "fixtures" / "scripts"
EXAMPLES = ROOT / "scorehost" / "examples"
TUTORIAL_SCRIPT = EXAMPLES / "mnist" / "score.py"
