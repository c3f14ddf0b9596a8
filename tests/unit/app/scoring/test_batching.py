"""Micro-batching: merged calls, each caller its own rows, one bad request isolated."""

import asyncio
from typing import Any

import numpy as np
import numpy.typing as npt

from scorehost.app.scoring.batching import MicroBatcher
from scorehost.app.scoring.entry_script import Ran


class Model:
    def __init__(self) -> None:
        self.calls: list[int] = []

    async def __call__(self, rows: npt.NDArray[Any]) -> Ran:
        self.calls.append(len(rows))
        if np.isnan(rows).any():
            raise ValueError("NaN")
        return Ran(rows.sum(axis=1), 1.5)


def test_concurrent_requests_are_merged_and_split_back() -> None:
    model = Model()

    async def scenario() -> list[Ran]:
        batcher = MicroBatcher(model, max_rows=100, max_wait_s=0.05)
        requests = [np.full((n, 2), float(n)) for n in (1, 2, 3)]
        return list(await asyncio.gather(*(batcher.submit(rows) for rows in requests)))

    results = asyncio.run(scenario())

    assert model.calls == [6]
    assert [ran.value.tolist() for ran in results] == [[2.0], [4.0, 4.0], [6.0, 6.0, 6.0]]
    assert {ran.exec_ms for ran in results} == {1.5}


def test_a_full_batch_goes_at_once() -> None:
    model = Model()

    async def scenario() -> None:
        batcher = MicroBatcher(model, max_rows=2, max_wait_s=60)
        await asyncio.gather(batcher.submit(np.ones((1, 2))), batcher.submit(np.ones((1, 2))))

    asyncio.run(asyncio.wait_for(scenario(), 5))
    assert model.calls == [2]


def test_a_bad_request_fails_alone() -> None:
    model = Model()

    async def scenario() -> list[Any]:
        batcher = MicroBatcher(model, max_rows=100, max_wait_s=0.05)
        good, bad = np.ones((1, 2)), np.array([[np.nan, 1.0]])
        results = await asyncio.gather(
            batcher.submit(good), batcher.submit(bad), return_exceptions=True
        )
        return list(results)

    good_result, bad_result = asyncio.run(scenario())

    assert isinstance(good_result, Ran)
    assert good_result.value.tolist() == [2.0]
    assert isinstance(bad_result, ValueError)
    assert model.calls == [2, 1, 1]  # merged, then each alone


def test_a_lone_request_goes_once_the_loop_is_quiet_not_after_the_longest_wait() -> None:
    model = Model()

    async def scenario() -> None:
        batcher = MicroBatcher(model, max_rows=100, max_wait_s=60)
        await batcher.submit(np.ones((1, 2)))

    asyncio.run(asyncio.wait_for(scenario(), 5))  # not 60 s
    assert model.calls == [1]


def test_requests_that_keep_joining_wait_together_up_to_the_longest_wait() -> None:
    model = Model()

    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        batcher = MicroBatcher(model, max_rows=10**6, max_wait_s=0.05)
        started = loop.time()

        async def a_request_every_turn() -> None:
            joined = []
            while loop.time() - started < 0.2 and not model.calls:  # one joins each loop turn
                joined.append(asyncio.ensure_future(batcher.submit(np.ones((1, 2)))))
                await asyncio.sleep(0)
            await asyncio.gather(*joined)

        await a_request_every_turn()
        return loop.time() - started

    waited = asyncio.run(scenario())
    assert model.calls[0] > 10  # one batch of everything that joined before the wait ran out
    assert 0.04 <= waited < 0.2
