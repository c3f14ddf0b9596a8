"""How a deploy command ends: a missing Azure SDK, Azure's own failure and a scorehost bug are
told apart, each with its exit code."""

import sys

import pytest
from azure.core.exceptions import HttpResponseError

from scorehost.app import exit_codes
from scorehost.app.commands import run
from scorehost.deploy.shared.errors import ERRORS, ConfigError, RolloutFailed


def _ended(error: BaseException) -> int:
    def deploy() -> int:
        raise error

    return run(deploy, "scorehost deploy aci", [ERRORS], show_traceback=False)


def test_a_missing_azure_sdk_names_this_python_and_the_extra(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _ended(ModuleNotFoundError("No module named 'azureml'", name="azureml")) == 2
    message = capsys.readouterr().err.strip()
    assert f"azureml, which is not installed for {sys.executable}" in message
    assert "pip install 'scorehost[deploy-v1]'" in message  # azureml-core: the v1 targets'


def test_azures_own_failures_are_exit_3_with_its_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _ended(HttpResponseError(message="QuotaExceeded: no cores left")) == 3
    assert "HttpResponseError: QuotaExceeded: no cores left" in capsys.readouterr().err
    assert _ended(RolloutFailed("deployment blue failed", logs="init() failed")) == 3
    assert "--- last container log lines ---\ninit() failed" in capsys.readouterr().err
    assert _ended(ConfigError("service_name: 3-32 characters")) == exit_codes.USAGE


def test_a_bug_is_never_called_a_failed_deployment(capsys: pytest.CaptureFixture[str]) -> None:
    assert _ended(KeyError("scoring_uri")) == exit_codes.FAILED
    err = capsys.readouterr().err
    assert "unexpected error: KeyError" in err and "bug in scorehost" in err
    assert "deployment failed" not in err
