"""The `scorehost` command: one parser from every product, each failure one line and a code."""

import pytest

from scorehost import __version__
from scorehost.app.cli import build_parser, command_groups, main


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in (
        "serve",
        "probe",
        "train",
        "data",
        "evaluate",
        "predict",
        "build",
        "deploy",
        "capacity",
        "batch",
    ):
        assert command in out
    assert "Serve an Azure ML score.py" in out
    assert "{serve,probe,train,data,evaluate,predict,build,deploy,capacity,batch}" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"scorehost {__version__}"


def test_each_command_has_its_own_handler() -> None:
    parser = build_parser(command_groups())
    handlers = {
        parser.parse_args(argv).handler
        for argv in (
            ["serve"],
            ["probe"],
            ["train"],
            ["data", "download"],
            ["evaluate", "--url", "http://x"],
            ["predict", "--url", "http://x", "f.png"],
            ["capacity", "--rps", "1", "--p99-ms", "100"],
        )
    }
    assert len(handlers) == 7


def test_a_usage_error_is_one_line_and_exit_2(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--entry-script", "/nonexistent/score.py"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("scorehost serve: error: entry script /nonexistent/score.py not found")


def test_a_remote_failure_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    code = main(["predict", "--url", "http://127.0.0.1:9", "scorehost/examples/mnist/sample.json"])
    assert code == 1
    assert "scorehost predict: error: cannot reach http://127.0.0.1:9/score" in (
        capsys.readouterr().err
    )


def test_a_product_that_is_not_installed_adds_no_commands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scorehost.app import cli

    # as in the image, where the server is installed alone
    monkeypatch.setattr(
        cli, "PRODUCTS", ("scorehost.app.serve_command", "product_not_installed.cli")
    )
    names = [group.register.__module__ for group in command_groups()]
    assert names == ["scorehost.app.serve_command"]
