import argparse

import pytest

from scorehost.app.commands import count, positive


def test_argument_types_accept_what_they_promise() -> None:
    assert positive("0.5") == 0.5
    assert count("3") == 3


@pytest.mark.parametrize(("convert", "text"), [(positive, "0"), (positive, "-1"), (count, "0")])
def test_argument_types_refuse_the_rest(convert: object, text: str) -> None:
    assert callable(convert)
    with pytest.raises(argparse.ArgumentTypeError):
        convert(text)
