"""The OpenAPI document, with a typed run()'s own schemas once init() has loaded it."""

from tests.paths import SCRIPTS
from tests.unit.app.conftest import served


def test_openapi_json_documents_every_answer_of_score() -> None:
    with served(SCRIPTS / "echo.py") as client:
        openapi = client.get("/openapi.json").json()
    operation = openapi["paths"]["/score"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "413", "422", "500", "503", "504"}
    assert "get" in openapi["paths"]["/score"]
    assert "/swagger.json" not in openapi["paths"]


def test_a_typed_script_shows_its_schema_and_npy() -> None:
    with served(SCRIPTS / "typed_sum.py") as client:
        document = client.get("/openapi.json").json()
    body = document["paths"]["/score"]["post"]["requestBody"]
    assert body["content"]["application/json"]["example"] == {"data": [[0.0, 0.0, 0.0]]}
    assert "application/x-npy" in body["content"]
    answer = document["paths"]["/score"]["post"]["responses"]["200"]["content"]
    assert answer["application/json"]["example"] == [1.5]


def test_an_untyped_script_is_described_by_its_own_name_and_nothing_invented() -> None:
    with served(SCRIPTS / "echo.py") as client:
        document = client.get("/openapi.json").json()
    assert "echo.py" in document["info"]["description"]
    operation = document["paths"]["/score"]["post"]
    assert operation["requestBody"]["content"] == {"application/json": {"schema": {}}}
    assert operation["responses"]["200"]["content"] == {"application/json": {"schema": {}}}
    text = str(document)
    assert "784" not in text and "MNIST" not in text and "tutorial" not in text
