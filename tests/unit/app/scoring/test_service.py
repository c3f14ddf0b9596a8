"""The scoring service without HTTP: lifecycle, request bodies to results, errors as exceptions."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from scorehost.app.errors import (
    BadRequest,
    NotReady,
    RunFailed,
    ScoringTimeout,
    UnprocessableInput,
    UnsupportedMediaType,
)
from scorehost.app.scoring.entry_script import EntryScriptError
from scorehost.app.scoring.request import ScoreRequest
from scorehost.app.scoring.service import ScoringService, Status
from scorehost.app.settings import Settings
from tests.paths import SCRIPTS

T = TypeVar("T")


def _service(
    script: Path, on_stuck: Callable[[], None] = lambda: None, **settings: Any
) -> ScoringService:
    return ScoringService(Settings(entry_script=script, **settings), on_stuck=on_stuck)


def _started(script: Path, **settings: Any) -> ScoringService:
    service = _service(script, **settings)
    asyncio.run(service.start())
    return service


def _post(body: bytes, headers: dict[str, str]) -> ScoreRequest:
    return ScoreRequest("POST", body, headers)


def _run(awaitable: Awaitable[T]) -> T:
    async def scenario() -> T:
        return await awaitable

    return asyncio.run(scenario())


def test_a_started_service_is_ready_and_scores() -> None:
    service = _started(SCRIPTS / "echo.py")
    assert service.status is Status.READY and service.init_seconds is not None
    ran = _run(service.score(_post(b"hello", {})))
    assert ran.value == {"received": "hello", "type": "str"}
    assert ran.exec_ms >= 0


def test_before_start_it_asks_to_retry() -> None:
    service = _service(SCRIPTS / "echo.py")
    with pytest.raises(NotReady, match="still loading") as info:
        _run(service.score(_post(b"x", {})))
    assert info.value.retry_after_s == 1


def test_a_failed_start_is_reported_and_refuses_requests() -> None:
    service = _service(SCRIPTS / "init_raises.py")
    with pytest.raises(EntryScriptError):
        asyncio.run(service.start())
    assert service.status is Status.FAILED
    with pytest.raises(NotReady, match=r"failed to start: init\(\) in .* failed") as info:
        _run(service.score(_post(b"x", {})))
    assert info.value.retry_after_s is None


def test_init_past_its_deadline_fails_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOW_INIT_SECONDS", "0.5")
    service = _service(SCRIPTS / "slow_init.py", init_timeout_s=0.05)
    with pytest.raises(EntryScriptError, match=r"did not finish within 0\.05 s"):
        asyncio.run(service.start())


def test_bodies_a_text_script_cannot_take() -> None:
    service = _started(SCRIPTS / "echo.py")
    with pytest.raises(BadRequest, match=r"not valid UTF-8 text \(byte 0xff at position 0\)"):
        _run(service.score(_post(b"\xff", {})))
    with pytest.raises(UnsupportedMediaType):
        _run(service.score(_post(b"\x93NUMPY", {"content-type": "application/x-npy"})))


def test_run_failures_are_raised_with_their_timing() -> None:
    service = _started(SCRIPTS / "run_raises.py")
    with pytest.raises(RunFailed) as info:
        _run(service.score(_post(b"boom", {})))
    assert info.value.exec_ms is not None
    assert isinstance(info.value.__cause__, Exception)


def test_a_run_past_the_deadline_times_out_and_asks_for_a_recycle() -> None:
    stuck: list[bool] = []
    service = _service(SCRIPTS / "slow_run.py", lambda: stuck.append(True), scoring_timeout_ms=50)
    asyncio.run(service.start())
    with pytest.raises(ScoringTimeout, match="did not finish within 50 ms"):
        _run(service.score(_post(json.dumps({"sleep": 0.3}).encode(), {})))
    assert stuck == [True] and service.stuck


def test_each_run_is_observed() -> None:
    seconds: list[float] = []
    service = ScoringService(
        Settings(entry_script=SCRIPTS / "run_raises.py"), lambda: None, observe_run=seconds.append
    )
    asyncio.run(service.start())
    _run(service.score(_post(b"ok", {})))
    with pytest.raises(RunFailed):
        _run(service.score(_post(b"boom", {})))
    assert len(seconds) == 2


def test_typed_scripts_get_decoded_values_and_their_schemas_are_known() -> None:
    service = _started(SCRIPTS / "typed_sum.py")
    assert _run(service.score(_post(b'{"data": [[1, 2, 3]]}', {}))).value.tolist() == [6.0]
    with pytest.raises(UnprocessableInput, match="has shape"):
        _run(service.score(_post(b'{"data": [[1, 2]]}', {})))
    input_schema, output_schema = service.schemas()
    assert input_schema is not None and "data" in input_schema["properties"]
    assert output_schema is not None


def test_micro_batching_merges_concurrent_requests_and_splits_the_answers() -> None:
    seconds: list[float] = []
    service = ScoringService(
        Settings(entry_script=SCRIPTS / "typed_sum.py", max_batch_size=8, max_batch_wait_ms=50),
        lambda: None,
        observe_run=seconds.append,
    )

    async def scenario() -> list[Any]:
        await service.start()
        bodies = [json.dumps({"data": [[n, 0, 0]] * n}).encode() for n in (1, 2, 3)]
        results = await asyncio.gather(*(service.score(_post(body, {})) for body in bodies))
        return [ran.value.tolist() for ran in results]

    assert asyncio.run(scenario()) == [[1.0], [2.0, 2.0], [3.0, 3.0, 3.0]]
    assert len(seconds) == 1  # one run() for all three
