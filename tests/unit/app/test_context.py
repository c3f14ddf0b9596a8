import asyncio

from scorehost.app.context import current_request_id, reset_request_id, set_request_id


def test_outside_a_request_the_id_is_a_dash() -> None:
    assert current_request_id() == "-"


def test_each_task_sees_its_own_request_id() -> None:
    async def serve(request_id: str) -> str:
        token = set_request_id(request_id)
        await asyncio.sleep(0)
        seen = current_request_id()
        reset_request_id(token)
        return seen

    async def both() -> list[str]:
        return list(await asyncio.gather(serve("a"), serve("b")))

    assert asyncio.run(both()) == ["a", "b"]
    assert current_request_id() == "-"
