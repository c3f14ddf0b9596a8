"""The app: probes answer while init() loads; a script that cannot start stops the worker."""

from fastapi.testclient import TestClient

from scorehost.app import exit_codes
from scorehost.app.settings import Settings
from tests.paths import SCRIPTS
from tests.unit.app.conftest import served, wait_until_loaded, worker_for


def test_probes_answer_while_init_runs(monkeypatch: object) -> None:
    import os

    os.environ["SLOW_INIT_SECONDS"] = "0.5"
    try:
        worker = worker_for(Settings(entry_script=SCRIPTS / "slow_init.py"))
        with TestClient(worker.app) as client:
            assert client.get("/health/live").status_code == 200
            loading = client.get("/health/ready")
            assert (loading.status_code, loading.json()["status"]) == (503, "loading")
            early = client.post("/score", content="x")
            assert early.status_code == 503
            assert early.headers["retry-after"] == "1"
            wait_until_loaded(client)
            assert client.get("/").text == "Healthy"
            assert client.post("/score", content="x").json() == "ready"
    finally:
        del os.environ["SLOW_INIT_SECONDS"]


def test_a_failing_init_stops_the_worker_and_says_why() -> None:
    worker = worker_for(Settings(entry_script=SCRIPTS / "init_raises.py"))
    with TestClient(worker.app) as client:
        wait_until_loaded(client)
        ready = client.get("/health/ready").json()
        assert ready["status"] == "failed"
        assert "RuntimeError: model file is corrupt" in ready["error"]
        answer = client.post("/score", content="x")
        assert answer.status_code == 503
        assert "retry-after" not in answer.headers
        assert (client.get("/").status_code, client.get("/").text) == (503, "Unhealthy")
    assert worker.stopping
    assert worker.exit_code() == exit_codes.SCRIPT_FAILED


def test_cors_only_for_listed_origins() -> None:
    origin = "https://portal.example"
    with served(SCRIPTS / "echo.py", cors_origins=[origin]) as client:
        allowed = client.options(
            "/score", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
        )
        assert allowed.headers["access-control-allow-origin"] == origin
        other = client.post("/score", content="x", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    with served(SCRIPTS / "echo.py") as client:
        answer = client.post("/score", content="x", headers={"Origin": origin})
        assert "access-control-allow-origin" not in answer.headers
