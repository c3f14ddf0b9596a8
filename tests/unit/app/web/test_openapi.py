"""The OpenAPI document, with a typed run()'s own schemas once init() has loaded it."""

from tests.paths import SCRIPTS
from tests.unit.app.conftest import served


def test_swagger_json_and_openapi_json_are_the_same_document() -> None:
    with served(SCRIPTS / "echo.py") as client:
        swagger, openapi = client.get("/swagger.json").json(), client.get("/openapi.json").json()
    assert swagger == openapi
    operation = swagger["paths"]["/score"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "413", "422", "500", "503", "504"}
    assert "/swagger.json" not in swagger["paths"]


def test_a_typed_script_shows_its_schema_and_npy() -> None:
    with served(SCRIPTS / "typed_sum.py") as client:
        document = client.get("/swagger.json").json()
    body = document["paths"]["/score"]["post"]["requestBody"]
    assert body["content"]["application/json"]["example"] == {"data": [[0.0, 0.0, 0.0]]}
    assert "application/x-npy" in body["content"]
    answer = document["paths"]["/score"]["post"]["responses"]["200"]["content"]
    assert answer["application/json"]["example"] == [1.5]
