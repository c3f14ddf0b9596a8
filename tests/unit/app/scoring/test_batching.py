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


def test_requests_that_keep_joining_keep_the_batch_open() -> None:
    model = Model()

    async def scenario() -> list[int]:
        batcher = MicroBatcher(model, max_rows=10**6, max_wait_s=60)
        joined = []
        for _ in range(50):  # one more request each turn of the loop
            joined.append(asyncio.ensure_future(batcher.submit(np.ones((1, 2)))))
            await asyncio.sleep(0)
        still_open = list(model.calls)
        await asyncio.gather(*joined)  # no more join: the batch closes
        return still_open

    assert asyncio.run(asyncio.wait_for(scenario(), 5)) == []
    assert model.calls == [50]


def test_the_longest_wait_closes_a_batch_that_is_still_growing() -> None:
    model = Model()

    async def scenario() -> tuple[int, int]:
        batcher = MicroBatcher(model, max_rows=10**6, max_wait_s=0.05)
        joined = []
        while not model.calls:  # requests keep joining, every turn, until a batch is scored
            joined.append(asyncio.ensure_future(batcher.submit(np.ones((1, 2)))))
            await asyncio.sleep(0)
        first = model.calls[0]
        await asyncio.gather(*joined)
        return first, len(joined)

    first_batch, requests = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert first_batch > 1  # closed by the wait, holding everything that had joined
    assert sum(model.calls) == requests  # and every request scored, once
