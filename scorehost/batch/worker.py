"""The worker processes' entry points, for the local pool and for Dask alike.

A worker process holds a Scorer per run: the script's module with its init() state, as Azure
ML's batch workers do. It is made once per process, so it lives in this module's registry; a
Dask worker can serve several runs, each under its own key."""

import time

from scorehost.app.scoring.entry_script import EntryScriptError
from scorehost.batch.inputs import MiniBatch
from scorehost.batch.scorer import Outcome, Scorer, WorkerSpec

LOCAL = "local"
_scorers: dict[str, Scorer] = {}
_failures: dict[str, str] = {}


class InitFailed(Exception):
    """The script cannot be loaded or its init() raised: no mini-batch can run."""


def start(spec: WorkerSpec, key: str = LOCAL) -> None:
    """Load the script and call init() (once per worker process and run); a failure is kept
    and raised by every score() call, so the run stops with the script's own message."""
    try:
        _scorers[key] = Scorer(spec)
    except EntryScriptError as exc:
        _failures[key] = str(exc)


def stop(key: str) -> None:
    _scorers.pop(key, None)
    _failures.pop(key, None)


def score(batch: MiniBatch, key: str = LOCAL, timeout_s: float | None = None) -> Outcome:
    """run() on one mini-batch; with `timeout_s` (where nothing else can time the call), a call
    that took longer fails as one that was stopped would."""
    scorer = _scorers.get(key)
    if scorer is None:
        raise InitFailed(_failures.get(key, "the worker was not started for this run"))
    started = time.monotonic()
    outcome = scorer.score(batch)
    took = time.monotonic() - started
    if timeout_s is not None and took > timeout_s:
        raise TimeoutError(f"run() took {took:.1f} s, more than the {timeout_s:g} s allowed")
    return outcome
