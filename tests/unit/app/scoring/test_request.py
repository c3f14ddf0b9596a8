"""The headers dict run() gets, and a GET query as run()'s JSON input."""

from scorehost.app.scoring.request import RequestHeaders, query_document


def test_headers_are_keyed_title_case_and_looked_up_in_any_case() -> None:
    headers = RequestHeaders([("test-header", "a"), ("x-ms-request-id", "r"), ("test-header", "b")])
    assert dict(headers) == {"Test-Header": "a,b", "X-Ms-Request-Id": "r"}
    assert headers["Test-Header"] == headers["test-header"] == headers.get("TEST-HEADER") == "a,b"
    assert "x-ms-request-id" in headers and "nope" not in headers
    assert headers.get("nope", "-") == "-"


def test_query_values_are_json_where_they_are_json() -> None:
    pairs = [("a", "1"), ("b", "[1,2]"), ("c", "x"), ("d", "null"), ("e", "1"), ("e", "two")]
    assert query_document(pairs) == {"a": 1, "b": [1, 2], "c": "x", "d": None, "e": [1, "two"]}
