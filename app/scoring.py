"""The transport-free scoring service: the user script's lifecycle, and requests to results."""

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from starlette.responses import Response

from app.batching import MicroBatcher
from app.encoding import NotSerializable, to_json
from app.entry_script import EntryScriptError, RunRaised, UserScript
from app.errors import (
    RUN_FAILED_HEADER,
    BadRequest,
    NotReady,
    RunFailed,
    ScoringTimeout,
    UnsupportedMediaType,
)
from app.executor import DeadlineExceeded, RunExecutor
from app.failures import text_failure, typed_failure
from app.metrics import Metrics
from app.pins import verify_pins
from app.settings import Settings
from app.typed_input import NPY_MEDIA_TYPE, is_npy

log = logging.getLogger("scorehost")
EXEC_MS_HEADER = "x-ms-run-fn-exec-ms"


class Status(StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class ScoreResult:
    body: bytes | Response  # a Response returned by run() is passed through as it is
    exec_ms: float


@dataclass(frozen=True)
class _Outcome:
    value: Any
    error: RunRaised | None
    exec_ms: float


class ScoringService:
    """`on_stuck` is called when user code overran its deadline and still holds a thread:
    the owner should recycle the process (a thread cannot be killed)."""

    def __init__(self, settings: Settings, metrics: Metrics, on_stuck: Callable[[], None]) -> None:
        self._settings = settings
        self._metrics = metrics
        self._on_stuck = on_stuck
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
        try:
            self._script = await self._executor.call(
                lambda: _load_and_init(path, self._settings), self._settings.init_timeout_s
            )
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
        self._metrics.init_seconds.set(self.init_seconds)
        self.status = Status.READY
        log.info("init() finished in %.2f s; ready to score", self.init_seconds)

    def stop(self) -> None:
        self._executor.shutdown()

    async def score(self, body: bytes, headers: Mapping[str, str]) -> ScoreResult:
        script = self._ready_script()
        content_type = headers.get("content-type", "")
        if script.typed is not None:
            # Parsing a large body takes a while: off the event loop, but outside the run() slot.
            values = await asyncio.to_thread(script.typed.decode, body, content_type)
            outcome = await self._run_typed(script, values, headers)
        else:
            if is_npy(content_type):
                raise UnsupportedMediaType(
                    f"{NPY_MEDIA_TYPE} bodies need a run() decorated with inference-schema's "
                    "@input_schema; this score.py takes the body as text: send JSON."
                )
            text = _decode(body)
            outcome = await self._run(lambda: _run_timed(lambda: script.run(text, headers)))
        timing = {EXEC_MS_HEADER: f"{outcome.exec_ms:.3f}"}
        if outcome.error is not None:
            if script.typed is not None:
                debug = self._settings.debug
                raise typed_failure(values, outcome.error, script.typed, timing, debug)
            raise text_failure(text, outcome.error, script, timing, self._settings.debug)
        if isinstance(outcome.value, Response):
            return ScoreResult(outcome.value, outcome.exec_ms)
        try:
            return ScoreResult(to_json(outcome.value), outcome.exec_ms)
        except NotSerializable as exc:
            log.error("%s", exc)
            raise RunFailed(str(exc), headers={**timing, RUN_FAILED_HEADER: "True"}) from exc

    async def _run_typed(
        self, script: UserScript, values: dict[str, Any], headers: Mapping[str, str]
    ) -> _Outcome:
        batcher = self._batcher_for(script)
        if batcher is None or len(values) != 1:
            return await self._run(lambda: _run_timed(lambda: script.run_with(values, headers)))
        try:
            value, exec_ms = await batcher.submit(next(iter(values.values())))
        except RunRaised as error:
            return _Outcome(None, error, 0.0)
        return _Outcome(value, None, exec_ms)

    def _batcher_for(self, script: UserScript) -> MicroBatcher | None:
        """A batcher when configured and possible: one array input, no headers wanted."""
        if self._batcher is None and self._settings.max_batch_size > 1 and script.typed:
            arrays = [p for p in script.typed.parameters if p.is_array]
            if len(script.typed.parameters) == 1 and len(arrays) == 1 and not script.wants_headers:
                name = arrays[0].name

                async def run_rows(rows: Any) -> tuple[Any, float]:
                    outcome = await self._run(
                        lambda: _run_timed(lambda: script.run_with({name: rows}, {}))
                    )
                    if outcome.error is not None:
                        raise outcome.error
                    return outcome.value, outcome.exec_ms

                self._batcher = MicroBatcher(
                    run_rows, self._settings.max_batch_size, self._settings.max_batch_wait_ms / 1000
                )
        return self._batcher

    async def _run(self, call: Callable[[], _Outcome]) -> _Outcome:
        timeout_ms = self._settings.scoring_timeout_ms
        try:
            outcome = await self._executor.call(call, timeout_ms / 1000)
            self._metrics.run_seconds.observe(outcome.exec_ms / 1000)  # one per run() call
            return outcome
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

    def _ready_script(self) -> UserScript:
        if self.status is Status.FAILED:
            raise NotReady(f"The scoring script failed to start: {self.failure}")
        if self._script is None:
            waited = time.monotonic() - self._loading_since
            raise NotReady(
                f"The model is still loading (init() has run for {waited:.1f} s). Retry shortly.",
                headers={"Retry-After": "1"},
            )
        return self._script

    def schemas(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """A typed run()'s input and output schemas (None for untyped scripts or not loaded)."""
        if self._script is None or self._script.typed is None:
            return None, None
        return self._script.typed.input_schema, self._script.typed.output_schema


def _load_and_init(path: Path, settings: Settings) -> UserScript:
    verify_pins(settings.model_dir, settings.model_sha256)
    script = UserScript.load(path, settings.model_dir)
    script.init()
    return script


def _run_timed(call: Callable[[], Any]) -> _Outcome:
    started = time.perf_counter()
    try:
        value, error = call(), None
    except RunRaised as exc:
        value, error = None, exc
    return _Outcome(value, error, (time.perf_counter() - started) * 1000)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"The request body is not valid UTF-8 text (byte 0x{body[exc.start]:02x} at "
            f"position {exc.start}). Send JSON text encoded as UTF-8."
        ) from None
