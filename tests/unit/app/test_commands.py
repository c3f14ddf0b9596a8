"""How every command ends: its handler's code, or one line and the code its error calls for; an
error nobody named is a bug (a pointer, or the traceback with --debug)."""

import argparse

import pytest

from scorehost.app import exit_codes
from scorehost.app.commands import (
    CommandError,
    CommandGroup,
    MissingExtra,
    UsageError,
    count,
    positive,
    require_extra,
    run,
)

GROUP = CommandGroup(
    register=lambda _: None,
    errors=lambda: {LookupError: exit_codes.DEPLOY_FAILED},
    extras={"not_a_real_module": "deploy"},
)


def _ended(error: BaseException, show_traceback: bool = False) -> int:
    def handler() -> int:
        raise error

    return run(handler, "scorehost thing", [GROUP], show_traceback)


def test_a_handler_that_returns_gives_its_code() -> None:
    assert run(lambda: 4, "scorehost thing", [GROUP], False) == 4


def test_our_errors_end_in_one_line_with_their_own_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _ended(UsageError("--rps must be positive")) == exit_codes.USAGE
    assert capsys.readouterr().err == "scorehost thing: error: --rps must be positive\n"
    assert _ended(CommandError("the run stopped")) == exit_codes.FAILED


def test_a_products_named_errors_get_its_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert _ended(KeyError("no such service")) == exit_codes.DEPLOY_FAILED
    assert "error: KeyError: 'no such service'" in capsys.readouterr().err


def test_a_missing_optional_module_names_its_extra_and_this_python(
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = ModuleNotFoundError("No module named 'not_a_real_module'", name="not_a_real_module")
    assert _ended(missing) == exit_codes.USAGE
    err = capsys.readouterr().err
    assert "not_a_real_module, which is not installed for" in err
    assert "pip install 'scorehost[deploy]'" in err and "`make install`" in err
    with pytest.raises(MissingExtra, match="a debug port needs not_a_real_module"):
        require_extra("debug", ["json", "not_a_real_module"], "a debug port")


def test_anything_else_is_a_bug_never_the_users_fault(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _ended(ZeroDivisionError("oops")) == exit_codes.FAILED
    err = capsys.readouterr().err
    assert "unexpected error: ZeroDivisionError: oops" in err
    assert "bug in scorehost" in err and "scorehost --debug" in err
    assert "Traceback" not in err
    assert _ended(ZeroDivisionError("oops"), show_traceback=True) == exit_codes.FAILED
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_ctrl_c_ends_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    assert _ended(KeyboardInterrupt()) == exit_codes.INTERRUPTED
    assert capsys.readouterr().err == "scorehost thing: interrupted\n"


def test_argument_types_accept_what_they_promise() -> None:
    assert positive("0.5") == 0.5
    assert count("3") == 3


@pytest.mark.parametrize(("convert", "text"), [(positive, "0"), (positive, "-1"), (count, "0")])
def test_argument_types_refuse_the_rest(convert: object, text: str) -> None:
    assert callable(convert)
    with pytest.raises(argparse.ArgumentTypeError):
        convert(text)
