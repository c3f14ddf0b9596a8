"""`scorehost serve` checks what it can before starting a process; `probe` asks the server."""

import json
from pathlib import Path

import pytest

from scorehost.app.cli import build_parser, command_groups
from scorehost.app.commands import UsageError
from scorehost.app.serve_command import serve_settings
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
            "workers (--workers or --worker_count or SCOREHOST_WORKERS or WORKER_COUNT) = '0': "
            "give 1 to 64 "
            "processes, or auto (one per CPU)",
        ),
        (["--entry-script", "missing.py"], "entry script"),
        (["--api-keys-file", "/nonexistent/keys"], "API keys file /nonexistent/keys not found"),
        (
            ["--reload", "--workers", "2"],
            "--reload restarts a single worker; drop --workers 2 (or WORKER_COUNT)",
        ),
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
    from scorehost.app.cli import main

    with local_server(lambda handler: reply(handler, 200, b"Healthy", "text/plain")) as url:
        monkeypatch.setenv("SCOREHOST_PORT", url.rsplit(":", 1)[1])
        assert main(["probe"]) == 0
    assert "200 Healthy" in capsys.readouterr().out
    with local_server(lambda handler: reply(handler, 503, b"Unhealthy", "text/plain")) as url:
        monkeypatch.setenv("SCOREHOST_PORT", url.rsplit(":", 1)[1])
        assert main(["probe"]) == 1


def test_azure_mls_own_flags_are_accepted(tmp_path: Path) -> None:
    settings = _settings(
        "--entry_script",
        SCRIPTS / "echo.py",
        "--model_dir",
        tmp_path,
        "--worker_count",
        "2",
        "--access_control_allow_origins",
        "https://a.example, https://b.example",
        "--appinsights_instrumentation_key",
        "00000000-0000-0000-0000-000000000000",
    )
    assert settings.model_dir == tmp_path  # type: ignore[attr-defined]
    assert settings.workers == 2  # type: ignore[attr-defined]
    assert settings.cors_origins == ["https://a.example", "https://b.example"]  # type: ignore[attr-defined]
    assert settings.app_insights_enabled  # type: ignore[attr-defined]


def test_a_bad_value_from_azure_mls_variable_names_the_field_and_every_way_to_set_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WORKER_COUNT", "0")
    with pytest.raises(UsageError, match=r"workers \(--workers or .*WORKER_COUNT\) = '0'"):
        _settings("--entry-script", SCRIPTS / "echo.py")


def test_a_config_file_that_is_no_json_object_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    for content, message in [
        (b"[1, 2]", "holds a JSON list; it must hold an object"),
        (b"{not json", "is not valid JSON: Expecting property name"),
        (b"\xff\xfe", "is not UTF-8 text"),
    ]:
        config.write_bytes(content)
        with pytest.raises(UsageError, match=message):
            _settings("--config_file", config)
    with pytest.raises(UsageError, match="is a folder, not a JSON file"):
        _settings("--config_file", tmp_path)


def test_a_config_file_under_azure_mls_names_sits_below_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {"AZUREML_ENTRY_SCRIPT": str(SCRIPTS / "echo.py"), "SCORING_TIMEOUT_MS": 6000, "X": 1}
        )
    )
    monkeypatch.delenv("AZUREML_CONFIG_FILE", raising=False)
    monkeypatch.setenv("WORKER_COUNT", "3")
    settings = _settings("--config_file", config)
    assert settings.entry_script == SCRIPTS / "echo.py"  # type: ignore[attr-defined]
    assert settings.scoring_timeout_ms == 6000  # type: ignore[attr-defined]
    assert settings.workers == 3  # type: ignore[attr-defined]
    with pytest.raises(UsageError, match=r"config file .* not found"):
        _settings("--config_file", tmp_path / "missing.json")


def test_a_missing_model_folder_is_left_for_init_to_find(tmp_path: Path) -> None:
    settings = _settings("--entry-script", SCRIPTS / "echo.py", "--model-dir", tmp_path / "none")
    assert settings.model_dir == tmp_path / "none"  # type: ignore[attr-defined]


def test_a_debug_port_needs_debugpy(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(
        UsageError,
        match=r"needs debugpy, which is not installed for .*: pip install 'scorehost\[debug\]'",
    ):
        _settings("--entry-script", SCRIPTS / "echo.py", "--debug_port", "5678")
