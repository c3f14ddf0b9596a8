"""run()'s return value to JSON bytes, as Azure ML's server would send it (numpy included)."""

import logging
from typing import Any

import numpy as np
import orjson

from scorehost.app.errors import RunFailed

log = logging.getLogger("scorehost")
_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class NotSerializable(RunFailed):
    """run() returned something JSON cannot hold: the script's bug, so a 500."""


def _fallback(value: Any) -> Any:
    # orjson takes contiguous native arrays only; anything else numpy can still turn into lists.
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError


def to_json(value: Any, exec_ms: float | None = None) -> bytes:
    try:
        return orjson.dumps(value, default=_fallback, option=_OPTIONS)
    except TypeError as exc:
        error = NotSerializable(
            f"run() returned {type(value).__name__} that cannot be converted to JSON ({exc})",
            exec_ms=exec_ms,
        )
        log.error("%s", error.message)
        raise error from exc
