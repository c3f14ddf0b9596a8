"""Command-line flags generated from a pydantic model: one source of names, types, defaults and
help (each field's docstring). `scorehost serve` builds its flags from `Settings` this way, and
every deploy command from its config model."""

import argparse
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import NoDecode

EnvNames = Callable[[str], list[str]]


def key_value(text: str) -> tuple[str, str]:
    """`KEY=VALUE`, for flags that fill a dict (repeated)."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def int_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 10,50,100, got {text!r}") from None


def _default(info: FieldInfo) -> Any:
    return info.default_factory() if info.default_factory else info.default  # type: ignore[call-arg]


def _help(name: str, info: FieldInfo, env_names: EnvNames | None) -> str:
    text = " ".join((info.description or "").split())
    facts = []
    default = _default(info)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "default_text" in extra:  # a default computed at run time, described in words
        facts.append(f"default: {extra['default_text']}")
    elif info.is_required():
        facts.append("required")
    elif default not in (None, [], {}):
        shown = ",".join(map(str, default)) if isinstance(default, list) else default
        facts.append(f"default: {shown}")
    if env_names is not None:
        facts.append("env: " + ", ".join(env_names(name)))
    return (f"{text} [{'; '.join(facts)}]" if facts else text).replace("%", "%%")


def _bare(annotation: Any) -> Any:
    """The annotation without `| None`; text when it is a choice of types (`int | "auto"`),
    which the model's own validation tells apart."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        kinds = [a for a in typing.get_args(annotation) if a is not type(None)]
        return kinds[0] if len(kinds) == 1 else str
    return annotation


def add_model_flags(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    model: type[BaseModel],
    *,
    skip: frozenset[str] = frozenset(),
    env_names: EnvNames | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """One `--flag` per field of `model` (secrets never: argv is visible to every process),
    with the other spellings in `aliases` (field name -> flags) for the same option.

    Every flag defaults to None, so `given()` tells what the command line set."""
    for name, info in model.model_fields.items():
        annotation = _bare(info.annotation)
        if name in skip or annotation is SecretStr:
            continue
        flags = [f"--{name.replace('_', '-')}", *(aliases or {}).get(name, ())]
        help_text = _help(name, info, env_names)
        origin = typing.get_origin(annotation)
        if annotation is bool:
            parser.add_argument(
                *flags,
                dest=name,
                action=argparse.BooleanOptionalAction,
                default=None,
                help=help_text,
            )
        elif NoDecode in info.metadata:  # the model's own validator parses the text
            parser.add_argument(*flags, dest=name, help=help_text)
        elif origin is dict:
            parser.add_argument(
                *flags,
                dest=name,
                type=key_value,
                action="append",
                metavar="KEY=VALUE",
                help=f"{help_text} (repeat; replaces the file's)",
            )
        elif origin is list:
            parser.add_argument(*flags, dest=name, type=int_list, metavar="N,N,...", help=help_text)
        elif origin is typing.Literal:
            parser.add_argument(
                *flags, dest=name, choices=typing.get_args(annotation), help=help_text
            )
        else:
            convert: Any = annotation if callable(annotation) else str
            parser.add_argument(*flags, dest=name, type=convert, help=help_text)


def given(args: argparse.Namespace, model: type[BaseModel]) -> dict[str, Any]:
    """The fields of `model` the command line set, as the model takes them."""
    values: dict[str, Any] = {}
    for name in model.model_fields:
        value = getattr(args, name, None)
        if isinstance(value, list) and value and isinstance(value[0], tuple):
            value = dict(value)  # repeated KEY=VALUE flags
        if value is not None:
            values[name] = value
    return values


def _field_of(model: type[BaseModel], name: str) -> str:
    """The field a validation error's location names (its name, or one of its aliases)."""
    for field, info in model.model_fields.items():
        alias = info.validation_alias
        choices = [str(c) for c in alias.choices] if isinstance(alias, AliasChoices) else []
        if name == field or name in choices:
            return field
    return name


def describe_errors(
    exc: ValidationError, model: type[BaseModel], label: Callable[[str], str] = str
) -> str:
    """All of a model's validation errors in one line, `FIELD = INPUT: what is wrong; ...`:
    `label(field)` says how a user sets the field (its flags, variables or file key); secrets
    and whole objects are never echoed."""
    problems = []
    for error in exc.errors():
        message = error["msg"].removeprefix("Value error, ")
        if not error["loc"]:
            problems.append(message)
            continue
        field = _field_of(model, str(error["loc"][0]))
        where = ".".join([label(field), *map(str, error["loc"][1:])])
        given = error.get("input")
        given = str(given) if isinstance(given, Path) else given
        info = model.model_fields.get(field)
        secret = info is not None and _bare(info.annotation) is SecretStr
        shown = not secret and isinstance(given, str | int | float | bool | type(None))
        problems.append(f"{where} = {given!r}: {message}" if shown else f"{where}: {message}")
    return "; ".join(problems)
