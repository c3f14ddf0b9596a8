"""Every deploy command explains itself: --help works for each subcommand of each target."""

import subprocess
import sys
import tempfile

import pytest

from scorehost.deploy.cli import TARGETS, target_main

pytestmark = pytest.mark.deploy

COMMANDS = {
    "aci": ["deploy", "status", "logs", "test", "delete", "package"],
    "aks": ["deploy", "status", "logs", "test", "delete", "package"],
    "online_endpoint": ["deploy", "status", "logs", "test", "traffic", "delete"],
    "container_instance": ["deploy", "status", "logs", "test", "delete"],
    "batch_endpoint": ["deploy", "invoke", "status", "delete"],
}


@pytest.mark.parametrize(
    ("target", "command"), [(t, c) for t, commands in COMMANDS.items() for c in commands]
)
def test_help_of_every_command(
    target: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        target_main(target)([command, "--help"])
    assert exit_.value.code == 0
    assert f"scorehost deploy {target} {command}" in capsys.readouterr().out


def test_the_scorehost_command_lists_every_target() -> None:
    assert set(TARGETS) == set(COMMANDS)


@pytest.mark.parametrize(
    "command", [["-m", "scorehost", "deploy"], ["-m", "scorehost.deploy.{target}"]]
)
def test_every_target_runs_from_the_scorehost_command_and_as_a_module(command: list[str]) -> None:
    """`scorehost deploy <target> --help`, from outside the repository, as a user runs it."""
    for target in COMMANDS:
        argv = [part.format(target=target) for part in command]
        if "deploy" in argv:
            argv.append(target)
        result = subprocess.run(
            [sys.executable, *argv, "--help"],
            capture_output=True,
            text=True,
            cwd=tempfile.gettempdir(),
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert f"usage: scorehost deploy {target}" in result.stdout
