"""An exporter that keeps failing is one line in the log, not one per export."""

import logging

import pytest

from scorehost.app.telemetry.failures import REPORTER, ReportOnce


def test_the_first_failure_is_said_and_the_rest_counted(caplog: pytest.LogCaptureFixture) -> None:
    reporter = ReportOnce()
    exporter_log = logging.getLogger("tests.exporter")
    exporter_log.propagate = False
    exporter_log.addHandler(reporter)
    try:
        with caplog.at_level(logging.INFO, logger=REPORTER):
            exporter_log.info("Request URL: 'https://...'")  # azure-core chatter: dropped
            for attempt in range(5):
                exporter_log.warning("Retrying due to server request error: refused %d", attempt)
    finally:
        exporter_log.removeHandler(reporter)
    assert [record.getMessage() for record in caplog.records] == [
        "Telemetry export failed (later failures are not logged; scoring is not affected): "
        "Retrying due to server request error: refused 0"
    ]
    assert reporter.muted == 4
