"""The README's commands run as written from a clone after its two set-up commands: each is a
make target, a `.venv/bin/` program, or a tool the README names (curl, docker)."""

import re

from tests.paths import ROOT

_RUNNABLE = re.compile(r"^(make|curl|docker|docker-compose|\.venv/bin/\S+)\b")
_ENV_ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*=\S+\s+)+")


def _shell_commands(markdown: str) -> list[str]:
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, re.DOTALL):
        continued = False
        for line in block.splitlines():
            if line.strip() and not continued and not line.lstrip().startswith("#"):
                commands.append(_ENV_ASSIGNMENT.sub("", line.strip()))
            continued = line.rstrip().endswith("\\")
    return commands


def test_every_readme_command_names_how_to_run_it() -> None:
    commands = _shell_commands((ROOT / "README.md").read_text())
    assert len(commands) > 20
    bare = [command for command in commands if not _RUNNABLE.match(command)]
    assert bare == []
