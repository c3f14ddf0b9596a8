"""Probes: Azure ML's GET /, and liveness/readiness for Kubernetes-style orchestrators."""

from tests.paths import SCRIPTS
from tests.unit.app.conftest import served


def test_a_loaded_script_is_healthy_and_ready() -> None:
    with served(SCRIPTS / "echo.py") as client:
        azure = client.get("/")
        ready = client.get("/health/ready")
        live = client.get("/health/live")
    assert (azure.status_code, azure.text) == (200, "Healthy")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["init_seconds"] >= 0
    assert live.json() == {"status": "alive"}


def test_probes_need_no_api_key() -> None:
    with served(SCRIPTS / "echo.py", primary_key="secret-key-123") as client:
        assert client.get("/").status_code == 200
        assert client.get("/health/ready").status_code == 200
        assert client.post("/score", content="x").status_code == 401
