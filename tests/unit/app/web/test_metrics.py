"""Prometheus metrics by route template, so label values stay bounded."""

from tests.paths import SCRIPTS
from tests.unit.app.conftest import served


def _value(text: str, prefix: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith(prefix))
    return float(line.rsplit(" ", 1)[1])


def test_requests_latency_and_run_time_are_counted() -> None:
    with served(SCRIPTS / "echo.py") as client:
        client.post("/score", content="x")
        client.post("/score", content="y")
        client.get("/no/such/path/1")
        client.get("/no/such/path/2")
        text = client.get("/metrics").text
    labels = 'route="/score",status="200"'
    assert _value(text, f'scorehost_requests_total{{method="POST",{labels}}}') == 2
    assert (
        _value(text, 'scorehost_requests_total{method="GET",route="unmatched",status="404"}') == 2
    )
    assert _value(text, "scorehost_run_duration_seconds_count") == 2
    assert _value(text, 'scorehost_request_body_bytes_sum{route="/score"}') == 2
    assert _value(text, "scorehost_init_duration_seconds") >= 0
    assert 'scorehost_model_info{entry_script="' in text
