"""A Python client for any scorehost or Azure ML scoring URI: rows in, predictions out.

from scorehost.client import ScoringClient
with ScoringClient("http://127.0.0.1:5001/score") as client:
    labels = client.score(images / 255.0)
"""

import asyncio
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack
from urllib.parse import urlsplit

import httpx
import numpy as np
import numpy.typing as npt
import orjson

from scorehost.client.errors import ScoringError

# Safe to repeat: the request never reached run(), or the connection broke before an answer.
_RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError)


def scoring_url(url: str) -> str:
    """Accept a scoring URI or a bare service address (`http://host:5001` → `.../score`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ScoringError(f"{url!r} is not an http(s) URL, e.g. http://127.0.0.1:5001/score")
    return url.rstrip("/") + "/score" if parts.path in ("", "/") else url


@dataclass(frozen=True)
class _Retry:
    delay_s: float


@dataclass(frozen=True)
class _Policy:
    """What to do after each attempt: shared by the sync and async clients."""

    url: str
    retries: int
    backoff_s: float

    def after_error(self, attempt: int, exc: httpx.HTTPError) -> _Retry:
        if isinstance(exc, _RETRYABLE) and attempt < self.retries:
            return _Retry(self.backoff_s * 2**attempt)
        tries = f" after {attempt + 1} attempts" if attempt else ""
        raise ScoringError(f"cannot reach {self.url}: {type(exc).__name__}: {exc}{tries}") from exc

    def after_response(self, attempt: int, response: httpx.Response) -> _Retry | None:
        """A retry while the service says it is not ready yet (503); None: this is the answer."""
        if response.status_code == 503 and attempt < self.retries:
            retry_after = response.headers.get("retry-after", "")
            delay = float(retry_after) if retry_after.isdigit() else self.backoff_s * 2**attempt
            return _Retry(delay)
        return None

    def predictions(self, response: httpx.Response) -> Any:
        """A scoring answer's JSON, or ScoringError saying what came instead."""
        request_id = response.headers.get("x-ms-request-id")
        try:
            payload = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            snippet = response.text[:80].replace("\n", " ")
            raise ScoringError(
                f"{self.url} answered {response.status_code} with non-JSON content: {snippet!r}",
                response.status_code,
                request_id,
            ) from None
        if response.is_success:
            return payload
        message = payload.get("message", payload) if isinstance(payload, dict) else payload
        raise ScoringError(
            f"{self.url} answered {response.status_code} {response.reason_phrase}: {message}",
            response.status_code,
            request_id,
        )


def _batches(rows: npt.ArrayLike, batch_size: int, binary: bool) -> Iterator[bytes]:
    array = np.asarray(rows, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"rows must be 2-D (n_rows, n_features), got shape {array.shape}")
    for start in range(0, len(array), batch_size):
        batch = array[start : start + batch_size]
        if binary:
            buffer = io.BytesIO()
            np.save(buffer, batch, allow_pickle=False)
            yield buffer.getvalue()
        else:
            yield orjson.dumps({"data": batch}, option=orjson.OPT_SERIALIZE_NUMPY)


def _headers(key: str | None, binary: bool, extra: dict[str, str] | None) -> dict[str, str]:
    headers = {"Content-Type": "application/x-npy" if binary else "application/json"}
    headers.update(extra or {})
    if key:
        headers["Authorization"] = f"Bearer {key}"  # Azure ML's key convention
    return headers


class ClientOptions(TypedDict, total=False):
    """The options both clients take, so a type checker catches a misspelt one."""

    key: str | None
    """The service's key, sent as `Authorization: Bearer <key>` (Azure ML's convention)."""
    timeout: float
    """Seconds per request (default 60)."""
    batch_size: int
    """Rows per request (default 1000)."""
    retries: int
    """Retries after a connection error or a 503 (default 3)."""
    backoff_s: float
    """First retry's delay, doubled each time, unless the 503 says Retry-After (default 0.5)."""
    binary: bool
    """Send .npy bodies (application/x-npy), for typed score.py files only (default False)."""
    headers: dict[str, str] | None
    """Sent with every request (e.g. azureml-model-deployment to pick a deployment)."""


class _Base:
    def __init__(self, url: str, options: ClientOptions) -> None:
        batch_size = options.get("batch_size", 1000)
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.url = scoring_url(url)
        self.batch_size = batch_size
        self.binary = options.get("binary", False)
        self._policy = _Policy(self.url, options.get("retries", 3), options.get("backoff_s", 0.5))
        self._options: dict[str, Any] = {
            "headers": _headers(options.get("key"), self.binary, options.get("headers")),
            "timeout": options.get("timeout", 60.0),
        }


class ScoringClient(_Base):
    """Synchronous client; `score()` sends `{"data": rows}` in batches and joins the answers."""

    def __init__(self, url: str, **options: Unpack[ClientOptions]) -> None:
        super().__init__(url, options)
        self._http = httpx.Client(**self._options)

    def __enter__(self) -> "ScoringClient":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def score(
        self, rows: npt.ArrayLike, on_batch: Callable[[int], object] | None = None
    ) -> npt.NDArray[Any]:
        results = []
        for body in _batches(rows, self.batch_size, self.binary):
            results.append(np.asarray(self._policy.predictions(self.send(body))))
            if on_batch:
                on_batch(len(results[-1]))
        return np.concatenate(results) if results else np.array([])

    def send(self, body: bytes, content_type: str | None = None) -> httpx.Response:
        """POST any body as it is (with this Content-Type, else the client's), retried as
        `score` retries; the service's answer, whatever it is."""
        headers = {"Content-Type": content_type} if content_type else None
        attempt = 0
        while True:
            try:
                response = self._http.post(self.url, content=body, headers=headers)
                outcome = self._policy.after_response(attempt, response)
            except httpx.HTTPError as exc:
                outcome = self._policy.after_error(attempt, exc)
            if outcome is None:
                return response
            time.sleep(outcome.delay_s)
            attempt += 1


class AsyncScoringClient(_Base):
    """The same client for asyncio code: `await client.score(rows)`."""

    def __init__(self, url: str, **options: Unpack[ClientOptions]) -> None:
        super().__init__(url, options)
        self._http = httpx.AsyncClient(**self._options)

    async def __aenter__(self) -> "AsyncScoringClient":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def score(self, rows: npt.ArrayLike) -> npt.NDArray[Any]:
        batches = _batches(rows, self.batch_size, self.binary)
        results = [np.asarray(await self._post(body)) for body in batches]
        return np.concatenate(results) if results else np.array([])

    async def _post(self, body: bytes) -> Any:
        attempt = 0
        while True:
            try:
                response = await self._http.post(self.url, content=body)
                outcome = self._policy.after_response(attempt, response)
            except httpx.HTTPError as exc:
                outcome = self._policy.after_error(attempt, exc)
            if outcome is None:
                return self._policy.predictions(response)
            await asyncio.sleep(outcome.delay_s)
            attempt += 1
