"""Waiting on Azure: an azure-core long-running operation, with Azure's reason if it fails."""

from collections.abc import Callable
from typing import Any

from scorehost.app.commands import describe
from scorehost.deploy.shared.errors import RolloutFailed


def wait_for(poller: Any, what: str, timeout_s: float, logs: Callable[[], str] = str) -> Any:
    """The operation's result; RolloutFailed with Azure's reason (and the container's last
    lines from `logs`) if it fails or outlasts timeout_s."""
    try:
        poller.wait(timeout=timeout_s)
        if not poller.done():
            raise RolloutFailed(f"{what} did not finish within {timeout_s:.0f} s", logs())
        return poller.result()
    except RolloutFailed:
        raise
    except Exception as exc:  # Azure's reason, whatever the SDK raised
        raise RolloutFailed(f"{what} failed: {describe(exc)}", logs()) from exc
