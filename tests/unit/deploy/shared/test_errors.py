"""A deploy command run by a Python without the Azure SDKs says which Python and what to do."""

import sys

import pytest

from scorehost.deploy.shared.errors import EXIT_CONFIG, run_command


def test_a_missing_azure_sdk_names_this_python_and_the_venv(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def deploy() -> int:
        raise ModuleNotFoundError("No module named 'azureml'", name="azureml")

    assert run_command(deploy) == EXIT_CONFIG
    message = capsys.readouterr().err.strip()
    assert message == (
        f"azureml is not installed for {sys.executable}: run `make install` and use "
        ".venv/bin/scorehost deploy <target>, or pip install 'scorehost[deploy]' into this Python"
    )
