"""Per kind of run() (text, typed, raw), what a request becomes as run()'s arguments and what a
failed run() becomes for its caller: chosen once when the script is loaded (`calls_for`)."""

import asyncio
import json
from typing import Any, Protocol

from werkzeug.exceptions import HTTPException

from scorehost.app.errors import (
    BadRequest,
    PayloadTooLarge,
    ScorehostError,
    UnprocessableInput,
    UnsupportedMediaType,
)
from scorehost.app.scoring.diagnose import explain
from scorehost.app.scoring.entry_script import Kind, RunRaised, Script
from scorehost.app.scoring.failures import client_error, run_failed
from scorehost.app.scoring.raw_http import raw_request
from scorehost.app.scoring.request import ScoreRequest, query_document
from scorehost.app.scoring.typed_input import NPY_MEDIA_TYPE, TypedInput, is_npy

# Bodies up to this size are parsed on the event loop (a 784-float row: ~7 KB, ~30 us; 32 KiB:
# ~150 us); larger ones in a thread, so probes and other requests never wait on a parse.
INLINE_DECODE_BYTES = 32 * 1024
_WERKZEUG_CLIENT_ERRORS: dict[int, type[ScorehostError]] = {
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


class Calls(Protocol):
    takes_options: bool  # run() answers OPTIONS itself (otherwise: an empty 200)

    async def arguments(self, request: ScoreRequest) -> dict[str, Any]:
        """run()'s keyword arguments for this request (but request_headers)."""
        ...

    def explain(self, arguments: dict[str, Any], error: RunRaised, debug: bool) -> ScorehostError:
        """The caller's error for a run() that raised: 4xx where the input explains it."""
        ...

    def release(self, arguments: dict[str, Any]) -> None:
        """Let go of what `arguments` holds once the request is answered."""
        ...


class TextCalls:
    """run(raw_data): the body as text, exactly as sent; GET's query string as a JSON object."""

    takes_options = False

    def __init__(self, script: Script) -> None:
        self._script = script
        self._parameter = script.contract.data_parameter

    async def arguments(self, request: ScoreRequest) -> dict[str, Any]:
        if request.method == "GET":
            try:
                return {self._parameter: json.dumps(query_document(request.query))}
            except RecursionError:
                raise BadRequest(
                    "The query string holds JSON nested too deeply; send deep data as a POST body"
                ) from None
        if is_npy(request.content_type):
            raise UnsupportedMediaType(
                f"{NPY_MEDIA_TYPE} bodies need a run() decorated with inference-schema's "
                f"@input_schema; {self._script.path.name} takes the body as text: send JSON."
            )
        return {self._parameter: _decode(request.body)}

    def explain(self, arguments: dict[str, Any], error: RunRaised, debug: bool) -> ScorehostError:
        """The body is blamed only when it explains the exception."""
        script = self._script
        text = arguments[self._parameter]
        found = explain(text, error.original, script.expected_features(), script.path.name)
        return run_failed(error, debug) if found is None else client_error(found, error)

    def release(self, arguments: dict[str, Any]) -> None:
        pass


class TypedCalls:
    """inference-schema's @input_schema: the body parsed here, each parameter decoded."""

    takes_options = False

    def __init__(self, typed: TypedInput) -> None:
        self._typed = typed

    async def arguments(self, request: ScoreRequest) -> dict[str, Any]:
        typed = self._typed
        if request.method == "GET":
            return typed.from_document(query_document(request.query), "The query string")
        if len(request.body) <= INLINE_DECODE_BYTES:  # a few rows: quicker than a thread hop
            return typed.decode(request.body, request.content_type)
        # a large body takes a while: off the event loop, outside the run() slot
        return await asyncio.to_thread(typed.decode, request.body, request.content_type)

    def explain(self, arguments: dict[str, Any], error: RunRaised, debug: bool) -> ScorehostError:
        """Shapes were checked already; NaN or infinity may be why."""
        name = self._typed.non_finite(arguments) if isinstance(error.original, ValueError) else None
        if name is None:
            return run_failed(error, debug)
        return client_error(UnprocessableInput(f"{name!r} contains NaN or infinite values."), error)

    def release(self, arguments: dict[str, Any]) -> None:
        pass


class RawCalls:
    """@rawhttp: run() gets the request itself (werkzeug's), whatever its method."""

    takes_options = True

    def __init__(self, script: Script) -> None:
        self._parameter = script.contract.data_parameter

    async def arguments(self, request: ScoreRequest) -> dict[str, Any]:
        return {self._parameter: raw_request(request)}

    def explain(self, arguments: dict[str, Any], error: RunRaised, debug: bool) -> ScorehostError:
        """werkzeug's own 4xx (a malformed JSON or form body read through the request) is the
        caller's mistake; anything else is the script's."""
        original = error.original
        if isinstance(original, HTTPException) and (original.code or 500) < 500:
            kind = _WERKZEUG_CLIENT_ERRORS.get(original.code or 400, BadRequest)
            return client_error(kind(f"{original.name}: {original.description}"), error)
        return run_failed(error, debug)

    def release(self, arguments: dict[str, Any]) -> None:
        arguments[self._parameter].close()  # uploads spooled to temporary files, as Flask does


def calls_for(script: Script) -> Calls:
    contract = script.contract
    if contract.kind is Kind.RAW:
        return RawCalls(script)
    if contract.kind is Kind.TYPED and contract.typed is not None:
        return TypedCalls(contract.typed)
    return TextCalls(script)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"The request body is not valid UTF-8 text (byte 0x{body[exc.start]:02x} at "
            f"position {exc.start}). Send JSON text encoded as UTF-8."
        ) from None
