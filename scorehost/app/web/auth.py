"""Optional API keys on scoring, as Azure ML does it: `Authorization: Bearer <key>`."""

import hmac

from fastapi import Request

from scorehost.app.errors import Unauthorized


class KeyCheck:
    """A dependency: passes when no keys are configured or the request carries one of them."""

    def __init__(self, keys: list[str]) -> None:
        self._keys = [key.encode() for key in keys]

    async def __call__(self, request: Request) -> None:
        if not self._keys:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise Unauthorized("This service needs an API key: send 'Authorization: Bearer <key>'.")
        # Compare with every key, always: constant time, and no early exit that leaks which.
        matches = [hmac.compare_digest(given.strip().encode(), key) for key in self._keys]
        if not any(matches):
            raise Unauthorized("The API key is not valid.")
