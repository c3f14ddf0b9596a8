"""Every error a client sees is JSON `{"message", "request_id"}`, whoever raised it."""

from fastapi.testclient import TestClient

from scorehost.app.settings import Settings
from tests.paths import SCRIPTS
from tests.unit.app.conftest import served, worker_for


def test_unknown_routes_and_methods_say_where_to_go() -> None:
    with served(SCRIPTS / "echo.py") as client:
        missing = client.get("/predict")
        wrong_method = client.put("/score")
    assert missing.status_code == 404
    assert missing.json()["message"].startswith("Not found. Routes: POST or GET /score")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["message"].startswith("Method not allowed here. Score with POST")
    assert set(wrong_method.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}


def test_a_bug_in_the_server_is_a_500_without_details() -> None:
    app = worker_for(Settings(entry_script=SCRIPTS / "echo.py")).app

    @app.get("/explode")
    async def explode() -> None:
        raise RuntimeError("internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/explode")
    assert answer.status_code == 500
    assert answer.json()["message"] == "Unexpected server error; the server log has the details."
    assert "internal detail" not in answer.text
