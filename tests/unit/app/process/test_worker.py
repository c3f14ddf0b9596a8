"""A worker runs the app under uvicorn with the settings' address and drain time."""

from scorehost.app.process.worker import uvicorn_config
from scorehost.app.settings import Settings
from scorehost.app.web.app import create_app
from tests.paths import SCRIPTS


def test_uvicorn_gets_our_settings_and_leaves_logging_to_us() -> None:
    settings = Settings(
        entry_script=SCRIPTS / "echo.py", host="0.0.0.0", port=6001, graceful_timeout_s=7.4
    )
    config = uvicorn_config(create_app(settings), settings)
    assert (config.host, config.port) == ("0.0.0.0", 6001)
    assert config.timeout_graceful_shutdown == 7
    assert config.log_config is None and config.access_log is False
    assert config.lifespan == "on"


def test_a_zero_drain_time_still_gives_requests_a_second() -> None:
    settings = Settings(entry_script=SCRIPTS / "echo.py", graceful_timeout_s=0)
    assert uvicorn_config(create_app(settings), settings).timeout_graceful_shutdown == 1
