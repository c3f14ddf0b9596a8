"""The tutorial's tools, run by a Python without their extra, say which Python and what to do."""

import argparse
import sys

import pytest

from scorehost.tutorial.cli import _needs_extra
from scorehost.tutorial.errors import MissingExtra


def test_a_missing_extra_names_this_python_and_make_install() -> None:
    def train(_: argparse.Namespace) -> int:
        raise ModuleNotFoundError("No module named 'mlxtend'", name="mlxtend")

    with pytest.raises(MissingExtra) as refused:
        _needs_extra(train)(argparse.Namespace())
    assert str(refused.value).startswith(f"mlxtend is not installed for {sys.executable}: ")
    assert "`make install`" in str(refused.value)
