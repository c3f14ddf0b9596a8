"""AMLResponse builds the response Azure ML's server builds from the same arguments."""

from scorehost.app.aml_api.aml_response import AMLResponse


def test_json_str_sends_the_message_as_json() -> None:
    response = AMLResponse({"digit": 7}, 200, json_str=True)
    assert response.get_data() == b'{"digit": 7}'
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-ms-run-function-failed"] == "False"


def test_a_none_message_is_an_empty_object() -> None:
    assert AMLResponse(None, 204).get_data() == b"{}"


def test_the_scripts_content_type_replaces_the_default_and_commas_repeat_headers() -> None:
    response = AMLResponse(b"\x89PNG", 200, {"Content-Type": "image/png", "Vary": "a, b"})
    assert response.headers.getlist("Content-Type") == ["image/png"]
    assert response.headers.getlist("Vary") == ["a", "b"]


def test_the_run_failed_marker_can_be_set() -> None:
    failed = AMLResponse("down", 500, run_function_failed=True)
    assert failed.headers["x-ms-run-function-failed"] == "True"


def test_a_generator_message_is_streamed() -> None:
    response = AMLResponse((part for part in ("a", "b")), 200)
    assert response.is_streamed
    assert list(response.iter_encoded()) == [b"a", b"b"]
