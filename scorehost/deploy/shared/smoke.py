"""The smoke test every online target runs after a rollout: the user's own sample request sent
through the real scoring URI as it is (any body, any Content-Type), its status checked, and its
answer too when asked. Without a sample nothing is sent: the target checks readiness only."""

import argparse
import json
import mimetypes
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scorehost.app import exit_codes
from scorehost.app.commands import CommandError
from scorehost.deploy.shared.errors import ConfigError

Readiness = Callable[[], str | None]  # the target's own readiness check: a problem or None


class SmokeTestFailed(CommandError):
    """The service did not pass its smoke test; the message says what came instead."""

    exit_code = exit_codes.SMOKE_TEST_FAILED


def passed(problem: str | None, logs: str = "") -> int:
    """0 when the smoke test passed, else SmokeTestFailed (with the container's last lines)."""
    if problem is None:
        return exit_codes.OK
    raise SmokeTestFailed(f"smoke test failed: {problem}" + (f"\n{logs}" if logs else ""))


@dataclass(frozen=True)
class Sample:
    """A request body, sent as it is, and what its answer must be."""

    path: Path
    content_type: str
    expected: Any = None  # the answer's JSON must equal this; None: any 2xx answer passes

    def read(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"sample: {self.path} cannot be read: {exc.strerror}") from None


def add_sample_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sample",
        type=Path,
        help="a request body to score through the service, sent as it is (JSON, an image, "
        "...); none: check readiness only",
    )
    parser.add_argument(
        "--sample-content-type",
        metavar="TYPE",
        help="the sample's Content-Type [default: from its suffix, e.g. application/json for "
        ".json, image/png for .png]",
    )
    parser.add_argument(
        "--expect",
        type=Path,
        metavar="JSON_FILE",
        help="the answer must equal this JSON file's content [default: any 2xx answer passes]",
    )


def sample_from(args: argparse.Namespace) -> Sample | None:
    """The sample the flags name, or None (readiness only); ConfigError when they cannot work."""
    path: Path | None = args.sample
    if path is None:
        if args.expect is not None or args.sample_content_type is not None:
            raise ConfigError("sample: --expect and --sample-content-type need --sample FILE")
        return None
    if not path.is_file():
        raise ConfigError(f"sample: {path} is not a file")
    content_type = args.sample_content_type or mimetypes.guess_type(path.name)[0]
    return Sample(path, content_type or "application/octet-stream", _expected(args.expect))


def _expected(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        return json.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(f"expect: {path} cannot be read: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"expect: {path} is not JSON ({exc})") from None


def smoke_test(
    url: str,
    key: str | None,
    sample: Sample | None,
    readiness: Readiness,
    headers: dict[str, str] | None = None,
) -> str | None:
    """None when the service passes, else what went wrong: `sample` scored through `url`, or,
    with no sample, the target's `readiness` check (and a note that nothing was scored)."""
    if sample is None:
        print("smoke test: no --sample given, so readiness only is checked", file=sys.stderr)
        return readiness()
    from scorehost.client.errors import ScoringError
    from scorehost.client.scoring import ScoringClient

    try:
        with ScoringClient(url, key=key, retries=2, headers=headers) as client:
            response = client.send(sample.read(), sample.content_type)
    except ScoringError as exc:
        return str(exc)
    if not response.is_success:
        return f"{url} answered {response.status_code} {response.reason_phrase}: " + (
            response.text[:300] or "(no body)"
        )
    answer = _json_or_none(response.content)
    if sample.expected is not None and answer != sample.expected:
        expected = json.dumps(sample.expected)[:300]
        return f"{url} answered {response.text[:300]}, not what --expect says: {expected}"
    shown = answer if answer is not None else f"{len(response.content)} bytes"
    print(
        json.dumps(
            {"scoring_uri": url, **(headers or {}), "sample": sample.path.name, "answer": shown}
        )
    )
    return None


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def liveness(scoring_uri: str) -> Readiness:
    """Readiness asked of the server itself: GET / beside `scoring_uri` answers 200 (Azure ML's
    liveness route; scorehost says Healthy there once init() has succeeded)."""
    root = scoring_uri.removesuffix("/").removesuffix("/score") + "/"

    def check() -> str | None:
        import httpx

        try:
            response = httpx.get(root, timeout=30)
        except httpx.HTTPError as exc:
            return f"cannot reach {root}: {type(exc).__name__}: {exc}"
        if response.status_code != 200:
            return f"{root} answered {response.status_code}: {response.text[:200]}"
        return None

    return check


def service_state(state: str | None, healthy: str = "Healthy") -> Readiness:
    """Readiness as Azure reports it (its own probe passed): `state` must be `healthy`."""
    return lambda: None if state == healthy else f"the service is {state}, not {healthy}"
