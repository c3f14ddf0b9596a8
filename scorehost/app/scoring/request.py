"""A scoring request as the service sees it, and the shapes Azure ML's server hands run():
the headers dict of `run(raw_data, request_headers)` and a GET query as run()'s input."""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scorehost.app.errors import BadRequest


@dataclass(frozen=True)
class ScoreRequest:
    """`headers`: case-insensitive lookups (lower-case names); `query`: the query string's
    pairs, for GET (what it scores); `scope`: the ASGI scope, from which a raw-HTTP script's
    werkzeug request is built (its query string included)."""

    method: str
    body: bytes
    headers: Mapping[str, str]
    query: Sequence[tuple[str, str]] = ()
    scope: Mapping[str, Any] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class RequestHeaders(dict[str, str]):
    """`request_headers` for run(): a plain dict keyed as Azure ML's server keys it
    (`Content-Type`, `Test-Header`: werkzeug's Title-Case), whose lookups also ignore case."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        merged: dict[str, str] = {}
        for name, value in pairs:
            key = name.title()
            merged[key] = f"{merged[key]},{value}" if key in merged else value
        super().__init__(merged)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.title())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.title())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.title(), default)


def _json_or_text(name: str, value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value
    except RecursionError:
        raise BadRequest(
            f"The query string's {name!r} is JSON nested too deeply to read; send deep data "
            "as a POST body"
        ) from None


def query_document(query: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A GET query as the JSON object Azure ML's server makes of it: each value parsed as JSON
    where it is JSON (`?a=1&b=[1,2]&c=x` -> `{"a": 1, "b": [1, 2], "c": "x"}`), a repeated name
    as the list of its values."""
    grouped: dict[str, list[str]] = {}
    for name, value in query:
        grouped.setdefault(name, []).append(value)
    return {
        name: _json_or_text(name, values[0])
        if len(values) == 1
        else [_json_or_text(name, v) for v in values]
        for name, values in grouped.items()
    }
