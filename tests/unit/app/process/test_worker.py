"""A worker runs its app under uvicorn with the settings' address and drain time, and its exit
code says how it ended."""

from fastapi.testclient import TestClient

from scorehost.app import exit_codes
from scorehost.app.process.worker import uvicorn_config
from scorehost.app.settings import Settings
from tests.paths import SCRIPTS
from tests.unit.app.conftest import wait_until_loaded, worker_for


def test_uvicorn_gets_our_settings_and_leaves_logging_to_us() -> None:
    settings = Settings(
        entry_script=SCRIPTS / "echo.py", host="0.0.0.0", port=6001, graceful_timeout_s=7.4
    )
    config = uvicorn_config(worker_for(settings).app, settings)
    assert (config.host, config.port) == ("0.0.0.0", 6001)
    assert config.timeout_graceful_shutdown == 7
    assert config.log_config is None and config.access_log is False
    assert config.lifespan == "on"


def test_a_zero_drain_time_still_gives_requests_a_second() -> None:
    settings = Settings(entry_script=SCRIPTS / "echo.py", graceful_timeout_s=0)
    assert uvicorn_config(worker_for(settings).app, settings).timeout_graceful_shutdown == 1


def test_a_worker_that_served_ends_cleanly() -> None:
    worker = worker_for(Settings(entry_script=SCRIPTS / "echo.py"))
    with TestClient(worker.app) as client:
        wait_until_loaded(client)
        assert client.post("/score", content="x").status_code == 200
    assert not worker.stopping
    assert worker.exit_code() == exit_codes.OK


def test_a_run_past_its_deadline_stops_the_worker_for_recycling() -> None:
    worker = worker_for(Settings(entry_script=SCRIPTS / "slow_run.py", scoring_timeout_ms=50))
    with TestClient(worker.app) as client:
        wait_until_loaded(client)
        answer = client.post("/score", content='{"sleep": 0.5}')
    assert answer.status_code == 504
    assert worker.stopping
    assert worker.exit_code() == exit_codes.RECYCLE
