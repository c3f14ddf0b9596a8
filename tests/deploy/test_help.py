"""Every deploy command explains itself: --help works for each subcommand of each target."""

import functools
import importlib
import subprocess
import sys
import tempfile
from collections.abc import Callable

import pytest

pytestmark = pytest.mark.deploy

COMMANDS = {
    "aci": ["deploy", "status", "logs", "test", "delete", "package"],
    "aks": ["deploy", "status", "logs", "test", "delete", "package"],
    "online_endpoint": ["deploy", "status", "logs", "test", "traffic", "delete"],
    "container_instance": ["deploy", "status", "logs", "test", "delete"],
}


@pytest.mark.parametrize(
    ("target", "command"), [(t, c) for t, commands in COMMANDS.items() for c in commands]
)
def test_help_of_every_command(
    target: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        _main(target)([command, "--help"])
    assert exit_.value.code == 0
    assert f"scorehost deploy {target} {command}" in capsys.readouterr().out


def _main(target: str) -> Callable[[list[str]], int]:
    if target in ("aci", "aks"):
        from scorehost.deploy.azureml_v1 import cli

        return functools.partial(cli.main, target)
    main: Callable[[list[str]], int] = importlib.import_module(
        f"scorehost.deploy.{target}.cli"
    ).main
    return main


def test_every_target_runs_as_a_module() -> None:
    """`scorehost deploy <target> --help`, from outside the repository, as a user runs it."""
    for target in COMMANDS:
        result = subprocess.run(
            [sys.executable, "-m", f"scorehost.deploy.{target}", "--help"],
            capture_output=True,
            text=True,
            cwd=tempfile.gettempdir(),
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert f"usage: scorehost deploy {target}" in result.stdout
