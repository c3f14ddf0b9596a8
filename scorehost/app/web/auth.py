"""Optional API keys on scoring, as Azure ML does it: `Authorization: Bearer <key>`."""

import hmac
from collections.abc import Mapping

from scorehost.app.errors import Unauthorized
from scorehost.app.settings import Settings


def configured_keys(settings: Settings) -> list[str]:
    """Every accepted key: the two settings and the keys file's lines (`#` starts a comment);
    an empty list means the API is open."""
    keys = [key.get_secret_value() for key in (settings.primary_key, settings.secondary_key) if key]
    if settings.api_keys_file is not None:
        lines = settings.api_keys_file.read_text().splitlines()
        keys += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return keys


class KeyCheck:
    """Passes when no keys are configured or the request carries one of them."""

    def __init__(self, keys: list[str]) -> None:
        self._keys = [key.encode() for key in keys]

    @classmethod
    def from_settings(cls, settings: Settings) -> "KeyCheck":
        return cls(configured_keys(settings))

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
