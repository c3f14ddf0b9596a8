"""Flags generated from a settings model: names, types, defaults and help from one source."""

import argparse
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from scorehost.app.flags import add_model_flags, describe_errors, given, int_list, key_value
from scorehost.app.settings import Settings


class Example(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)

    name: str = "svc"
    """The service name."""
    cores: float = 1.0
    enabled: bool = False
    tags: dict[str, str] = {}
    steps: list[int] = [10, 100]
    mode: Literal["cpu", "latency"] = "cpu"
    path: Path | None = None


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_model_flags(parser, Example)
    return parser.parse_args(argv)


def test_each_field_becomes_a_typed_flag() -> None:
    args = _parse(
        "--cores",
        "2.5",
        "--enabled",
        "--tags",
        "a=1",
        "--tags",
        "b=",
        "--steps",
        "5,50",
        "--mode",
        "latency",
        "--path",
        "x/y",
    )
    assert given(args, Example) == {
        "cores": 2.5,
        "enabled": True,
        "tags": {"a": "1", "b": ""},
        "steps": [5, 50],
        "mode": "latency",
        "path": Path("x/y"),
    }


def test_only_what_the_command_line_set_is_given() -> None:
    assert given(_parse(), Example) == {}
    assert given(_parse("--no-enabled"), Example) == {"enabled": False}


def test_help_shows_the_docstring_and_default() -> None:
    parser = argparse.ArgumentParser()
    add_model_flags(parser, Example)
    text = parser.format_help()
    assert "The service name. [default: svc]" in text
    assert "[default: 10,100]" in text


def test_a_field_without_a_default_is_marked_required_in_the_help() -> None:
    class Needs(BaseModel):
        model_config = ConfigDict(use_attribute_docstrings=True)

        source: Path
        """Where to read."""

    parser = argparse.ArgumentParser()
    add_model_flags(parser, Needs)
    assert "Where to read. [required]" in parser.format_help()


@pytest.mark.parametrize(("convert", "text"), [(key_value, "novalue"), (int_list, "1,x")])
def test_malformed_values_are_usage_errors(convert: object, text: str) -> None:
    assert callable(convert)
    with pytest.raises(argparse.ArgumentTypeError):
        convert(text)


def test_serve_flags_name_their_environment_variables_and_skip_secrets() -> None:
    parser = argparse.ArgumentParser()
    add_model_flags(parser, Settings, env_names=Settings.names_of)
    text = " ".join(parser.format_help().split())
    assert "--workers WORKERS Worker processes" in text
    assert "env: SCOREHOST_WORKERS, WORKER_COUNT" in text
    assert "--primary-key" not in text and "--secondary-key" not in text
    assert "--metrics-dir" not in text
    # fields parsed by the model's own validator take the text as it is
    args = parser.parse_args(["--cors-origins", "https://a.example,https://b.example"])
    assert Settings(**given(args, Settings)).cors_origins == [
        "https://a.example",
        "https://b.example",
    ]


def test_validation_errors_name_the_field_the_way_to_set_it_and_the_value() -> None:
    class Options(BaseModel):
        workers: int = Field(1, ge=1)
        key: SecretStr | None = None

    with pytest.raises(ValidationError) as raised:
        Options.model_validate({"workers": 0, "key": 12})
    line = describe_errors(raised.value, Options, lambda field: f"--{field}")
    assert line.startswith("--workers = 0: Input should be greater than or equal to 1; --key: ")
    assert "12" not in line  # a secret is never echoed
