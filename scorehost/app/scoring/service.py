"""The transport-free scoring service: the user script's lifecycle, and request bodies to what
run() returned. Failures are raised as `app.errors` exceptions; nothing here knows HTTP."""

import asyncio
import functools
import json
import logging
import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from scorehost.app.errors import (
    BadRequest,
    NotReady,
    ScorehostError,
    ScoringTimeout,
    UnsupportedMediaType,
)
from scorehost.app.scoring.batching import MicroBatcher
from scorehost.app.scoring.entry_script import EntryScriptError, Ran, RunRaised, UserScript
from scorehost.app.scoring.environment import import_paths, script_environment, warn_about_model_dir
from scorehost.app.scoring.executor import DeadlineExceeded, RunExecutor
from scorehost.app.scoring.failures import raw_failure, run_failed, text_failure, typed_failure
from scorehost.app.scoring.pins import verify_pins
from scorehost.app.scoring.raw_http import options_answer, raw_request
from scorehost.app.scoring.request import RequestHeaders, ScoreRequest, query_document
from scorehost.app.scoring.typed_input import NPY_MEDIA_TYPE, SWAGGER_VERSIONS, is_npy
from scorehost.app.settings import Settings

log = logging.getLogger("scorehost")
# Bodies up to this size are parsed on the event loop (a 784-float row: ~7 KB, ~30 us; 32 KiB:
# ~150 us); larger ones in a thread, so probes and other requests never wait on a parse.
INLINE_DECODE_BYTES = 32 * 1024


class Status(StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class ScoringService:
    """`on_stuck` is called when user code overran its deadline and still holds a thread:
    the owner should recycle the process (a thread cannot be killed).
    `observe_run` gets the seconds of each run() call (one per merged batch)."""

    def __init__(
        self,
        settings: Settings,
        on_stuck: Callable[[], None],
        observe_run: Callable[[float], None] = lambda _: None,
    ) -> None:
        self._settings = settings
        self._on_stuck = on_stuck
        self._observe_run = observe_run
        self._executor = RunExecutor(settings.max_concurrent_runs)
        self._script: UserScript | None = None
        self._batcher: MicroBatcher | None = None
        self._loading_since = time.monotonic()
        self.status = Status.LOADING
        self.failure: str | None = None
        self.init_seconds: float | None = None

    @property
    def stuck(self) -> bool:
        return self._executor.stuck

    async def start(self) -> None:
        """Load the script and call init(); raises EntryScriptError if either fails."""
        self._loading_since = time.monotonic()
        path = self._settings.entry_script_path
        log.info("Loading %s and calling init()", path)
        load = functools.partial(_load_and_init, path, self._settings)
        try:
            self._script = await self._executor.call(load, self._settings.init_timeout_s)
        except DeadlineExceeded:
            self.status = Status.FAILED
            self.failure = (
                f"init() in {path} did not finish within {self._settings.init_timeout_s:g} s "
                "(SCOREHOST_INIT_TIMEOUT_S)"
            )
            raise EntryScriptError(self.failure) from None
        except EntryScriptError as exc:
            self.status, self.failure = Status.FAILED, str(exc)
            raise
        self.init_seconds = time.monotonic() - self._loading_since
        self.status = Status.READY
        if self._settings.max_batch_size > 1:
            self._batcher = self._make_batcher(self._script)
        log.info("init() finished in %.2f s; ready to score", self.init_seconds)

    def stop(self) -> None:
        self._executor.shutdown()

    async def score(self, request: ScoreRequest) -> Ran:
        """run()'s result for this request, as Azure ML's server calls run() for its method:
        POST sends the body, GET the query string as a JSON object, and a @rawhttp run() gets
        the request itself. Raises a ScorehostError when no result can be had."""
        script = self._ready_script()
        headers = RequestHeaders(request.headers.items()) if script.wants_headers else {}
        if script.raw:
            return await self._score_raw(script, request, headers)
        if request.method == "OPTIONS":
            return Ran(options_answer(), 0.0)
        if script.typed is None:
            return await self._score_text(script, request, headers)
        typed = script.typed
        if request.method == "GET":
            values = typed.from_document(query_document(request.query), "The query string")
        elif len(request.body) <= INLINE_DECODE_BYTES:  # a few rows: quicker than a thread hop
            values = typed.decode(request.body, request.content_type)
        else:  # a large body takes a while: off the event loop, outside the run() slot
            values = await asyncio.to_thread(typed.decode, request.body, request.content_type)
        try:
            if self._batcher is not None and len(values) == 1:
                return await self._batcher.submit(next(iter(values.values())))
            return await self._run(functools.partial(script.run_with, values, headers))
        except RunRaised as error:
            debug = self._settings.debug
            explain = functools.partial(typed_failure, values, error, typed, debug)
            raise await self._explained(explain, error) from error

    async def _score_raw(
        self, script: UserScript, request: ScoreRequest, headers: Mapping[str, str]
    ) -> Ran:
        aml_request = raw_request(request)
        try:
            return await self._run(functools.partial(script.run, aml_request, headers))
        except RunRaised as error:
            raise raw_failure(error, self._settings.debug) from error
        finally:
            aml_request.close()  # uploads parsed into temporary files, as Flask closes them

    async def _score_text(
        self, script: UserScript, request: ScoreRequest, headers: Mapping[str, str]
    ) -> Ran:
        if request.method == "GET":
            text = json.dumps(query_document(request.query))
        elif is_npy(request.content_type):
            raise UnsupportedMediaType(
                f"{NPY_MEDIA_TYPE} bodies need a run() decorated with inference-schema's "
                "@input_schema; this score.py takes the body as text: send JSON."
            )
        else:
            text = _decode(request.body)
        try:
            return await self._run(functools.partial(script.run, text, headers))
        except RunRaised as error:
            debug = self._settings.debug
            explain = functools.partial(text_failure, text, error, script, debug)
            raise await self._explained(explain, error) from error

    async def _explained(
        self, explain: Callable[[], ScorehostError], error: RunRaised
    ) -> ScorehostError:
        """Why run() failed, worked out in a thread (parsing a large body again takes seconds:
        never on the event loop, where probes wait) within what is left of the deadline."""
        left_s = (self._settings.scoring_timeout_ms - error.exec_ms) / 1000
        try:
            return await asyncio.wait_for(asyncio.to_thread(explain), max(left_s, 0.001))
        except TimeoutError:
            log.warning("No time left to check whether the body explains the failure")
            return run_failed(error, self._settings.debug)

    def _make_batcher(self, script: UserScript) -> MicroBatcher | None:
        """A batcher where merging is possible: one array input, no headers wanted."""
        typed = script.typed
        if typed is None or script.wants_headers or len(typed.parameters) != 1:
            return None
        (parameter,) = typed.parameters
        if not parameter.is_array:
            return None

        async def run_rows(rows: Any) -> Ran:
            return await self._run(functools.partial(script.run_with, {parameter.name: rows}, {}))

        wait_s = self._settings.max_batch_wait_ms / 1000
        return MicroBatcher(run_rows, self._settings.max_batch_size, wait_s)

    async def _run(self, call: Callable[[], Ran]) -> Ran:
        """Call user code under SCORING_TIMEOUT_MS; a run() that overran is reported as stuck."""
        timeout_ms = self._settings.scoring_timeout_ms
        try:
            ran = await self._executor.call(call, timeout_ms / 1000)
        except RunRaised as error:
            self._observe_run(error.exec_ms / 1000)
            raise
        except DeadlineExceeded as exc:
            if not exc.started:
                raise ScoringTimeout(
                    f"The request waited {timeout_ms} ms (SCORING_TIMEOUT_MS) for a free worker "
                    "without run() starting; the service is overloaded. Retry later."
                ) from None
            log.error(
                "run() exceeded %d ms and is still running; this worker will be recycled",
                timeout_ms,
            )
            self._on_stuck()
            raise ScoringTimeout(
                f"run() did not finish within {timeout_ms} ms (SCORING_TIMEOUT_MS)."
            ) from None
        self._observe_run(ran.exec_ms / 1000)
        return ran

    def _ready_script(self) -> UserScript:
        if self.status is Status.FAILED:
            raise NotReady(f"The scoring script failed to start: {self.failure}")
        if self._script is None:
            waited = time.monotonic() - self._loading_since
            raise NotReady(
                f"The model is still loading (init() has run for {waited:.1f} s). Retry shortly.",
                retry_after_s=1,
            )
        return self._script

    def swagger_versions(self) -> tuple[str, ...]:
        """The Swagger versions that can describe run()'s schemas."""
        if self._script is None or self._script.typed is None:
            return SWAGGER_VERSIONS
        return self._script.typed.swagger_versions

    def schemas(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """A typed run()'s input and output schemas (None for untyped scripts or not loaded)."""
        if self._script is None or self._script.typed is None:
            return None, None
        return self._script.typed.input_schema, self._script.typed.output_schema


def _load_and_init(path: Path, settings: Settings) -> UserScript:
    verify_pins(settings.model_dir, settings.model_sha256)
    warn_about_model_dir(settings)
    script = UserScript.load(path, script_environment(settings), import_paths(settings))
    script.init()
    return script


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"The request body is not valid UTF-8 text (byte 0x{body[exc.start]:02x} at "
            f"position {exc.start}). Send JSON text encoded as UTF-8."
        ) from None
