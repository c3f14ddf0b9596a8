"""@rawhttp marks run(); AMLRequest is werkzeug's request, as under Azure ML."""

from werkzeug.test import EnvironBuilder

from scorehost.app.aml_api.aml_request import MARK, AMLRequest, rawhttp


def test_rawhttp_marks_the_function_and_returns_it() -> None:
    def run(request: AMLRequest) -> None:
        return None

    assert rawhttp(run) is run
    assert getattr(run, MARK)


def test_the_request_reads_like_flasks() -> None:
    environ = EnvironBuilder(path="/score", query_string="a=1", json={"x": 1}).get_environ()
    request = AMLRequest(environ)
    assert (request.full_path, request.get_json(), request.view_args) == (
        "/score?a=1",
        {"x": 1},
        None,
    )
