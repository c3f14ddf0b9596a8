"""The HTTP floor: a bare ASGI app on scorehost's own uvicorn stack (uvloop + httptools) that
reads the whole body and answers a constant. No Python server on this stack answers faster
here; `make bench` runs it with the same workers and load as the servers it compares.

    python -m bench.floor --port 8000 --workers 2
"""

import argparse

import uvicorn
from uvicorn._types import ASGIReceiveCallable, ASGISendCallable, Scope

_ANSWER = b"[7]"
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"3")]


async def app(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # the whole body, as a server must before it can answer
        message = await receive()
        more = message.get("more_body", False)  # type: ignore[assignment]
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _ANSWER})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "bench.floor:app",
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
