"""Optional API keys on scoring, as Azure ML does it: `Authorization: Bearer <key>`."""

import hmac
from collections.abc import Mapping

from scorehost.app.errors import Unauthorized


class KeyCheck:
    """Passes when no keys are configured or the request carries one of them."""

    def __init__(self, keys: list[str]) -> None:
        self._keys = [key.encode() for key in keys]

    def check(self, headers: Mapping[str, str]) -> None:
        """Raises Unauthorized unless the headers carry a valid key (or none is needed)."""
        if not self._keys:
            return
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise Unauthorized("This service needs an API key: send 'Authorization: Bearer <key>'.")
        # Compare with every key, always: constant time, and no early exit that leaks which.
        matches = [hmac.compare_digest(given.strip().encode(), key) for key in self._keys]
        if not any(matches):
            raise Unauthorized("The API key is not valid.")
