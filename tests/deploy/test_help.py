"""Every deploy command explains itself: --help works for each subcommand of each target."""

import importlib

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
    module = importlib.import_module(f"deploy.{target}")
    with pytest.raises(SystemExit) as exit_:
        module.main([command, "--help"])
    assert exit_.value.code == 0
    assert f"deploy/{target}.py {command}" in capsys.readouterr().out
