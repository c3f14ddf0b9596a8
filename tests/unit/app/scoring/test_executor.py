"""User code runs in a bounded pool under a deadline; an overrun keeps its slot and is reported."""

import asyncio
import threading

import pytest

from scorehost.app.scoring.executor import DeadlineExceeded, RunExecutor


def test_a_call_returns_its_value() -> None:
    executor = RunExecutor(1)
    assert asyncio.run(executor.call(lambda: 42, 5)) == 42
    executor.shutdown()


def test_an_overrun_is_reported_as_started_and_marks_the_executor_stuck() -> None:
    executor, release = RunExecutor(1), threading.Event()
    with pytest.raises(DeadlineExceeded) as info:
        asyncio.run(executor.call(release.wait, 0.05))
    assert info.value.started and executor.stuck
    release.set()
    executor.shutdown()


def test_a_call_still_queued_at_its_deadline_never_starts() -> None:
    executor, release, ran = RunExecutor(1), threading.Event(), []

    async def scenario() -> None:
        blocker = asyncio.ensure_future(executor.call(release.wait, 5))
        await asyncio.sleep(0.01)
        with pytest.raises(DeadlineExceeded) as info:
            await executor.call(lambda: ran.append(1), 0.05)
        assert not info.value.started
        release.set()
        await blocker

    asyncio.run(scenario())
    assert ran == [] and not executor.stuck
    executor.shutdown()


def test_the_pool_size_bounds_calls_at_once() -> None:
    executor, lock, active, peak = RunExecutor(2), threading.Lock(), [0], [0]

    def work() -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        threading.Event().wait(0.02)
        with lock:
            active[0] -= 1

    async def scenario() -> None:
        await asyncio.gather(*(executor.call(work, 5) for _ in range(6)))

    asyncio.run(scenario())
    assert peak[0] == 2
    executor.shutdown()
