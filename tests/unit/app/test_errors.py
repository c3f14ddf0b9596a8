"""One error hierarchy: each kind carries its status; none knows about HTTP headers."""

import pytest

from scorehost.app import errors


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (errors.BadRequest, 400),
        (errors.Unauthorized, 401),
        (errors.RequestTimeout, 408),
        (errors.PayloadTooLarge, 413),
        (errors.UnsupportedMediaType, 415),
        (errors.UnprocessableInput, 422),
        (errors.RunFailed, 500),
        (errors.NotReady, 503),
        (errors.ScoringTimeout, 504),
    ],
)
def test_every_kind_has_its_status(kind: type[errors.ScorehostError], status: int) -> None:
    error = kind("what to do")
    assert isinstance(error, errors.ScorehostError)
    assert (error.status_code, error.message, str(error)) == (status, "what to do", "what to do")


def test_an_error_after_run_keeps_its_timing() -> None:
    assert errors.UnprocessableInput("bad row", exec_ms=1.5).exec_ms == 1.5
    assert errors.BadRequest("empty").exec_ms is None


def test_not_ready_says_whether_retrying_helps() -> None:
    assert errors.NotReady("loading", retry_after_s=1).retry_after_s == 1
    assert errors.NotReady("init() failed").retry_after_s is None
