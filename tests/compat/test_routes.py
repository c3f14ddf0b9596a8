"""GET and OPTIONS on /score, the swagger versions, and what run() returns."""

import json

import httpx
import pytest

from tests.compat.conftest import Servers

pytestmark = pytest.mark.compat


def test_get_sends_the_query_string_as_json(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "query.py")
    answer = httpx.get(
        f"{server.url}/score", params=[("a", "1"), ("b", "[1, 2]"), ("c", "x"), ("c", "y")]
    )
    assert answer.json() == {"raw": {"a": 1, "b": [1, 2], "c": ["x", "y"]}}
    assert httpx.get(f"{server.url}/score").json() == {"raw": {}}


def test_options_answers_200_with_no_body(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "query.py")
    answer = httpx.options(f"{server.url}/score")
    assert (answer.status_code, answer.content) == (200, b"")
    assert answer.headers["content-type"] == "text/html; charset=utf-8"  # Flask's default


def test_other_methods_are_refused_with_405(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "query.py")
    answer = httpx.put(f"{server.url}/score", content="{}")
    assert answer.status_code == 405
    assert answer.json()["message"]
    # RFC 9110 (15.5.6): a 405 names the methods allowed; Azure ML's server sends no Allow
    allowed = answer.headers.get("allow")
    if kind == "scorehost":
        assert allowed is not None and set(allowed.split(", ")) == {"GET", "POST", "OPTIONS"}
    else:
        assert allowed is None


def test_post_is_scored_and_marked_as_no_failure(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "query.py")
    answer = httpx.post(f"{server.url}/score", content='{"data": [1]}')
    assert answer.json() == {"raw": {"data": [1]}}
    assert answer.headers["x-ms-run-function-failed"] == "False"


def test_none_from_run_is_an_empty_object(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "returns_none.py")
    assert httpx.post(f"{server.url}/score", content="x").json() == {}


def test_numpy_from_run_is_sent_as_json_here_and_is_a_500_under_azure_ml(
    servers: Servers, kind: str
) -> None:
    server = servers.start(kind, "returns_numpy.py")
    array = httpx.post(f"{server.url}/score", content="array")
    scalar = httpx.post(f"{server.url}/score", content="scalar")
    # README, differences: Azure ML's json.dumps cannot encode numpy values (a 500 marked as
    # the script's failure); scorehost sends the same JSON a .tolist() would.
    if kind == "scorehost":
        assert (array.status_code, array.json()) == (200, [[0.25, 0.75]])
        assert (scalar.status_code, scalar.json()) == (200, 7)
    else:
        assert (array.status_code, scalar.status_code) == (500, 500)


def test_a_failing_run_is_a_500_marked_as_the_scripts(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "returns_none.py")
    answer = httpx.post(f"{server.url}/score", content="fail")
    assert answer.status_code == 500
    assert answer.headers["x-ms-run-function-failed"] == "True"
    assert "the script's own bug" not in answer.text  # the traceback stays in the log


@pytest.mark.parametrize(("query", "version"), [("?version=3", "3.0.3"), ("?version=3.1", "3.1.0")])
def test_openapi_3_documents_carry_the_typed_schemas(
    servers: Servers, kind: str, query: str, version: str
) -> None:
    server = servers.start(kind, "typed_defaults.py")
    document = httpx.get(f"{server.url}/swagger.json{query}").json()
    assert document["openapi"] == version
    schemas = document["components"]["schemas"]
    assert set(schemas["ServiceInput"]["properties"]) == {"num", "size", "color"}
    assert schemas["ServiceOutput"]["example"] == [1, 10, "red"]
    assert {"/", "/score", "/swagger.json"} <= set(document["paths"])


@pytest.mark.parametrize("query", ["", "?version=2", "?version=2.0"])
def test_swagger_2_cannot_describe_a_list_of_mixed_types(
    servers: Servers, kind: str, query: str
) -> None:
    server = servers.start(kind, "typed_defaults.py")
    answer = httpx.get(f"{server.url}/swagger.json{query}")
    assert answer.status_code == 404
    assert "is not supported for the scoring script" in answer.json()["message"]
    assert "[3, 3.1]" in answer.json()["message"]


def test_swagger_2_is_the_default(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "query.py")
    document = httpx.get(f"{server.url}/swagger.json").json()
    assert document["swagger"] == "2.0"
    assert {"/", "/score", "/swagger.json"} <= set(document["paths"])


def test_an_untyped_script_has_an_empty_object_schema(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "query.py")
    document = httpx.get(f"{server.url}/swagger.json").json()
    assert document["definitions"]["ServiceInput"] == {"type": "object", "example": {}}


def test_an_unknown_swagger_version_is_404(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "query.py")
    answer = httpx.get(f"{server.url}/swagger.json?version=9")
    assert answer.status_code == 404
    assert "Swagger version [9] is not valid" in answer.json()["message"]


def test_the_app_roots_own_swagger_files_are_served(servers: Servers, kind: str) -> None:
    own = {"swagger2.json": json.dumps({"mine": 2}), "swagger3.json": json.dumps({"mine": 3})}
    server = servers.start(kind, "query.py", files=own)
    assert httpx.get(f"{server.url}/swagger.json").json() == {"mine": 2}
    assert httpx.get(f"{server.url}/swagger.json?version=3").json() == {"mine": 3}


@pytest.mark.parametrize(
    ("body", "expected"),
    [({"num": 1}, [1, 10, "red"]), ({"num": 1, "color": "blue"}, [1, 10, "blue"])],
)
def test_typed_parameters_take_their_python_defaults(
    servers: Servers, kind: str, body: dict[str, object], expected: list[object]
) -> None:
    server = servers.start(kind, "typed_defaults.py")
    assert httpx.post(f"{server.url}/score", json=body).json() == expected


def test_typed_parameters_come_from_a_get_query(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "typed_defaults.py")
    assert httpx.get(f"{server.url}/score?num=2&size=3").json() == [2, 3, "red"]


def test_a_missing_typed_parameter_is_the_callers_mistake(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "typed_defaults.py")
    answer = httpx.post(f"{server.url}/score", json={"size": 3})
    # README, differences: scorehost says 422 (the JSON parses but does not fit), Azure ML 400.
    assert answer.status_code == {"scorehost": 422, "azmlinfsrv": 400}[kind]
    assert "num" in answer.json()["message"]


def test_a_run_past_the_scoring_timeout(servers: Servers, kind: str) -> None:
    server = servers.start(kind, "slow.py", env={"SCORING_TIMEOUT_MS": "300"})
    answer = httpx.post(f"{server.url}/score", content="3", timeout=30)
    # README, differences: a timeout is 504 here; Azure ML's server answers 500.
    assert answer.status_code == {"scorehost": 504, "azmlinfsrv": 500}[kind]
    assert answer.headers["x-ms-run-function-failed"] == "True"


def test_a_form_body_to_a_plain_run_reaches_it_here_and_is_emptied_under_azure_ml(
    servers: Servers, kind: str
) -> None:
    # README, differences: `curl -d` sends form-urlencoded; Flask parses the form away and
    # run() gets "", scorehost hands run() the body as it came
    server = servers.start(kind, "plain_text.py")
    answer = httpx.post(f"{server.url}/score", data={"tenure": "12"})
    assert answer.json() == {"received": {"scorehost": "tenure=12", "azmlinfsrv": ""}[kind]}


def test_a_diagnosed_client_mistake_is_not_marked_as_the_scripts_failure(
    servers: Servers, kind: str
) -> None:
    # README, differences: a body that explains run()'s exception is a 4xx with
    # x-ms-run-function-failed: False here; Azure ML's server answers 500 marked True
    server = servers.start(kind, "query.py")
    answer = httpx.post(f"{server.url}/score", content=b"{not json")
    expected = {"scorehost": (400, "False"), "azmlinfsrv": (500, "True")}[kind]
    assert (answer.status_code, answer.headers["x-ms-run-function-failed"]) == expected


def test_a_typed_body_with_nan_and_infinity_is_read_as_pythons_json_reads_it(
    servers: Servers, kind: str
) -> None:
    server = servers.start(kind, "typed_numpy_nan.py")
    body = b'{"data": [[NaN, 1.0, 2.0], [Infinity, -Infinity, 1.0]]}'
    json_type = {"content-type": "application/json"}  # azmlinfsrv: 415 without it
    answer = httpx.post(f"{server.url}/score", content=body, headers=json_type)
    assert (answer.status_code, answer.json()) == (200, [3.0, 1.0])
