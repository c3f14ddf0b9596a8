"""The transport-free scoring service: the user script's lifecycle, and request bodies to what
run() returned. Failures are raised as `app.errors` exceptions; nothing here knows HTTP."""

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from enum import StrEnum
from typing import Any

from scorehost.app.errors import NotReady, ScorehostError, ScoringTimeout, StreamCut
from scorehost.app.scoring.batching import MicroBatcher
from scorehost.app.scoring.calls import Calls, calls_for
from scorehost.app.scoring.entry_script import (
    EntryScriptError,
    Kind,
    Ran,
    RunRaised,
    Script,
    ScriptSpec,
    load_script,
)
from scorehost.app.scoring.environment import script_spec
from scorehost.app.scoring.executor import DeadlineExceeded, RunExecutor
from scorehost.app.scoring.failures import run_failed
from scorehost.app.scoring.raw_http import options_answer
from scorehost.app.scoring.request import RequestHeaders, ScoreRequest
from scorehost.app.scoring.typed_input import SWAGGER_VERSIONS
from scorehost.app.settings import Settings

log = logging.getLogger("scorehost")


class Status(StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class ScoringService:
    """`on_stuck` is called when user code overran its deadline and still holds a thread:
    the owner should recycle the process (a thread cannot be killed).
    `observe_run` gets the seconds of each run() call (one per merged batch); `workers` is how
    many the server started (the script sees it as WORKER_COUNT)."""

    def __init__(
        self,
        settings: Settings,
        on_stuck: Callable[[], None],
        observe_run: Callable[[float], None] = lambda _: None,
        workers: int = 1,
        hold_while_loading: bool = False,
    ) -> None:
        self._settings = settings
        self._workers = workers
        # a replacement worker holds what reaches it during init() instead of answering 503
        self._hold = hold_while_loading
        self._started = asyncio.Event()
        self._on_stuck = on_stuck
        self._observe_run = observe_run
        self._executor = RunExecutor(settings.max_concurrent_runs)
        self._script: Script | None = None
        self._calls: Calls | None = None
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
        spec = script_spec(self._settings, self._workers)
        log.info("Loading %s and calling init()", spec.path)
        load = functools.partial(_load_and_init, spec)
        try:
            script = await self._executor.call(load, self._settings.init_timeout_s)
        except DeadlineExceeded:
            self.status = Status.FAILED
            self.failure = (
                f"init() in {spec.path} did not finish within {self._settings.init_timeout_s:g} s "
                "(SCOREHOST_INIT_TIMEOUT_S)"
            )
            self._started.set()
            raise EntryScriptError(self.failure) from None
        except EntryScriptError as exc:
            self.status, self.failure = Status.FAILED, str(exc)
            self._started.set()
            raise
        self.init_seconds = time.monotonic() - self._loading_since
        self._script, self._calls = script, calls_for(script)
        if self._settings.max_batch_size > 1:
            self._batcher = self._make_batcher(script)
        self.status = Status.READY
        self._started.set()
        log.info("init() finished in %.2f s; ready to score", self.init_seconds)

    def stop(self) -> None:
        self._executor.shutdown()

    async def stream(
        self, chunks: Iterator[bytes], close: Callable[[], object]
    ) -> AsyncIterator[bytes]:
        """A streamed answer's chunks (a @rawhttp run() that returned a generator): each step
        of the script's generator runs as run() does, in a run slot and under the scoring
        timeout; the generator is closed on that thread whatever ends the stream (its end, an
        error, the caller hanging up)."""
        timeout_ms = self._settings.scoring_timeout_ms
        sent = 0
        try:
            while True:
                try:
                    chunk = await self._executor.call(
                        functools.partial(next, chunks, _END), timeout_ms / 1000
                    )
                except DeadlineExceeded as exc:
                    log.error(
                        "A step of run()'s streamed answer took more than %d ms; the answer is "
                        "cut short after %d chunks",
                        timeout_ms,
                        sent,
                    )
                    if exc.started:
                        self._on_stuck()
                    raise StreamCut from None
                except Exception as exc:
                    log.error(
                        "run()'s streamed answer raised %s: %s after %d chunks; the answer is "
                        "cut short",
                        type(exc).__name__,
                        exc,
                        sent,
                        exc_info=exc,
                    )
                    raise StreamCut from None
                if chunk is _END:
                    return
                sent += 1
                yield chunk
        finally:
            self._executor.later(close)

    async def score(self, request: ScoreRequest) -> Ran:
        """run()'s result for this request, as Azure ML's server calls run() for its method:
        POST sends the body, GET the query string as a JSON object, and a @rawhttp run() gets
        the request itself. Raises a ScorehostError when no result can be had."""
        if self._hold and not self._started.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._started.wait(), self._settings.scoring_timeout_ms / 1000
                )
        script, calls = self._ready()
        if request.method == "OPTIONS" and not calls.takes_options:
            return Ran(options_answer(), 0.0)
        arguments = await calls.arguments(request)
        contract = script.contract
        try:
            if self._batcher is not None:  # one array input, no headers wanted: _make_batcher
                return await self._batcher.submit(arguments[contract.data_parameter])
            headers = RequestHeaders(request.headers.items()) if contract.wants_headers else None
            return await self._run(functools.partial(contract.call, arguments, headers))
        except RunRaised as error:
            explain = functools.partial(calls.explain, arguments, error, self._settings.debug)
            raise await self._explained(explain, error) from error
        finally:
            calls.release(arguments)

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

    def _make_batcher(self, script: Script) -> MicroBatcher | None:
        """A batcher where merging is possible: one array input, no headers wanted."""
        contract = script.contract
        typed = contract.typed
        if contract.kind is not Kind.TYPED or typed is None or contract.wants_headers:
            return None
        if len(typed.parameters) != 1 or not typed.parameters[0].is_array:
            return None
        name = typed.parameters[0].name

        async def run_rows(rows: Any) -> Ran:
            return await self._run(functools.partial(contract.call, {name: rows}))

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

    def _ready(self) -> tuple[Script, Calls]:
        if self.status is Status.FAILED:
            raise NotReady(f"The scoring script failed to start: {self.failure}")
        if self._script is None or self._calls is None:
            waited = time.monotonic() - self._loading_since
            raise NotReady(
                f"The model is still loading (init() has run for {waited:.1f} s). Retry shortly.",
                retry_after_s=1,
            )
        return self._script, self._calls

    def swagger_versions(self) -> tuple[str, ...]:
        """The Swagger versions that can describe run()'s schemas."""
        typed = self._script.contract.typed if self._script else None
        return SWAGGER_VERSIONS if typed is None else typed.swagger_versions

    def schemas(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """A typed run()'s input and output schemas (None for untyped scripts or not loaded)."""
        typed = self._script.contract.typed if self._script else None
        return (None, None) if typed is None else (typed.input_schema, typed.output_schema)


_END: Any = object()


def _load_and_init(spec: ScriptSpec) -> Script:
    script = load_script(spec)
    script.init()
    return script
