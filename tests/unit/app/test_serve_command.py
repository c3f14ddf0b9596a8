"""`scorehost serve` checks what it can before starting a process; `probe` asks the server."""

from pathlib import Path

import pytest

from app.cli import build_parser, command_groups
from app.commands import UsageError
from app.serve_command import serve_settings
from tests.http_fakes import local_server, reply
from tests.paths import SCRIPTS


def _settings(*argv: str | Path) -> object:
    return serve_settings(build_parser(command_groups()).parse_args(["serve", *map(str, argv)]))


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_COUNT", "4")
    monkeypatch.setenv("SCOREHOST_PORT", "6000")
    settings = _settings("--entry-script", SCRIPTS / "echo.py", "--workers", "2", "--debug")
    assert (settings.workers, settings.port, settings.debug) == (2, 6000, True)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--workers", "0"],
            "workers = 0: Input should be greater than or equal to 1 (set by "
            "--workers or SCOREHOST_WORKERS or WORKER_COUNT)",
        ),
        (["--entry-script", "missing.py"], "entry script"),
        (["--model-dir", "/nonexistent"], "model folder /nonexistent not found"),
        (["--api-keys-file", "/nonexistent/keys"], "API keys file /nonexistent/keys not found"),
    ],
)
def test_bad_settings_name_the_flag_and_the_fix(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _settings("--entry-script", SCRIPTS / "echo.py", *argv)


def test_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    script = tmp_path / "score.py"
    script.write_text("def init():\n    pass\n\ndef run(x)\n    return x\n")
    with pytest.raises(UsageError, match=r"score\.py line 4: expected ':'"):
        _settings("--entry-script", script)


def test_probe_reports_healthy_and_unhealthy(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    with local_server(lambda handler: reply(handler, 200, b"Healthy", "text/plain")) as url:
        monkeypatch.setenv("SCOREHOST_PORT", url.rsplit(":", 1)[1])
        assert main(["probe"]) == 0
    assert "200 Healthy" in capsys.readouterr().out
    with local_server(lambda handler: reply(handler, 503, b"Unhealthy", "text/plain")) as url:
        monkeypatch.setenv("SCOREHOST_PORT", url.rsplit(":", 1)[1])
        assert main(["probe"]) == 1
