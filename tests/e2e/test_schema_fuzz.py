"""A second, generated suite: schemathesis sends what our own OpenAPI document allows (and
variations of it) and checks that no request gets a 5xx."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from tests.paths import TUTORIAL_SCRIPT
from tests.servers import ServerProcess, launch

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, mnist_model_dir: Path
) -> Iterator[ServerProcess]:
    log = tmp_path_factory.mktemp("fuzz") / "server.log"
    server = launch(["--entry-script", TUTORIAL_SCRIPT, "--model-dir", mnist_model_dir], None, log)
    server.wait_ready()
    yield server
    server.stop()


def test_no_request_gets_a_server_error(live_server: ServerProcess) -> None:
    # Driven through Hypothesis directly: schemathesis' pytest plugin does not run on pytest 9.
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert {operation.path for operation in operations} >= {"/score", "/health/ready"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case: Case[Any]) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        no_server_error()
    assert live_server.log().count('"POST /score"') >= 30  # the generator really sent cases
