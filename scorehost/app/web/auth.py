"""Optional API keys, as Azure ML does it: `Authorization: Bearer <key>` on scoring, and on the
server's own documents (/metrics, /openapi.json, /docs, /redoc) on the scoring port; the health
port stays open for probes and in-cluster scraping, and /swagger.json stays open as under
azmlinfsrv.

Keys come from SCOREHOST_PRIMARY_KEY / SCOREHOST_SECONDARY_KEY and from a keys file, read again
when it changes (scorehost/app/keys_file.py)."""

import hmac
from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from scorehost.app.errors import Unauthorized
from scorehost.app.keys_file import KeysFile
from scorehost.app.settings import Settings
from scorehost.app.web.errors import scorehost_error_response

PROTECTED_PATHS = frozenset(
    {"/metrics", "/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"}
)


class KeyCheck:
    """Passes when no keys are configured or the request carries one of them."""

    def __init__(self, keys: list[str], keys_file: KeysFile | None = None) -> None:
        self._static = tuple(key.encode() for key in keys)
        self._file = keys_file

    @classmethod
    def from_settings(cls, settings: Settings) -> "KeyCheck":
        static = [k.get_secret_value() for k in (settings.primary_key, settings.secondary_key) if k]
        keys_file = KeysFile(settings.api_keys_file) if settings.api_keys_file else None
        return cls(static, keys_file)

    @property
    def enabled(self) -> bool:
        return bool(self._static or self._file)

    def check(self, headers: Mapping[str, str]) -> None:
        """Raises Unauthorized unless the headers carry a valid key (or none is needed)."""
        keys = self._static + (self._file.current() if self._file else ())
        if not keys:
            return
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise Unauthorized("This service needs an API key: send 'Authorization: Bearer <key>'.")
        # Compare with every key, always: constant time, and no early exit that leaks which.
        offered = given.strip().encode()
        matches = [hmac.compare_digest(offered, key) for key in keys]
        if not any(matches):
            raise Unauthorized("The API key is not valid.")


class KeyGate:
    """Keys on the server's documents (PROTECTED_PATHS) when keys are on, but on the health
    port: what /score answers a request without a key, they answer too."""

    def __init__(self, app: ASGIApp, keys: KeyCheck, open_port: int | None) -> None:
        self.app = app
        self.keys = keys
        self.open_port = open_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in PROTECTED_PATHS and self._guarded(scope):
            try:
                self.keys.check(Headers(scope=scope))
            except Unauthorized as exc:
                await scorehost_error_response(exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _guarded(self, scope: Scope) -> bool:
        server = scope.get("server")
        return not (self.open_port is not None and server and server[1] == self.open_port)
