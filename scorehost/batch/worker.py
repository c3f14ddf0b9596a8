"""The worker processes' entry points, for the local pool and for Dask alike.

A worker process holds a Scorer per run: the script's module with its init() state, as Azure
ML's batch workers do. It is made once per process, so it lives in this module's registry; a
Dask worker can serve several runs, each under its own key. A local worker is named processNNN
from the run's counter (a replacement takes the next number, as on Azure), logs into the run's
logs/ folder, and calls the script's shutdown() when it ends normally."""

import dataclasses
import multiprocessing.util
import os
import signal
import time
from typing import Any

from scorehost.app.scoring.entry_script import EntryScriptError
from scorehost.batch import logs
from scorehost.batch.inputs import MiniBatch
from scorehost.batch.scorer import Outcome, Scorer, WorkerSpec

LOCAL = "local"
_scorers: dict[str, Scorer] = {}
_failures: dict[str, str] = {}
_agents: dict[str, str] = {}


class InitFailed(Exception):
    """The script cannot be loaded or its init() raised: no mini-batch can run."""


def start_local(spec: WorkerSpec, counter: Any) -> None:
    """A local pool's initializer: the next process name, the process's logs, then the script."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle
    with counter.get_lock():
        counter.value += 1
        number = counter.value
    agent = logs.agent_name(number)
    if spec.logs is not None:
        logs.start_process(spec.logs, "0", agent, own_process=True)
    start(spec, LOCAL, agent)
    # The pool ends a worker by closing its channel and sending SIGTERM at once: whichever comes
    # first calls shutdown(), and the other waits for it instead of cutting it short.
    multiprocessing.util.Finalize(None, _stop_local, exitpriority=10)
    signal.signal(signal.SIGTERM, _on_sigterm)


_stopping = False


def _stop_local() -> None:
    global _stopping
    if not _stopping:
        _stopping = True
        stop(LOCAL)


def _on_sigterm(signum: int, frame: object) -> None:
    if _stopping:
        return  # shutdown() is under way as the process ends normally: let it finish
    _stop_local()
    os._exit(0)


def start_dask(spec: WorkerSpec, key: str, worker_name: str) -> None:
    node = logs.node_name(worker_name)
    if spec.logs is not None:
        logs.start_process(spec.logs, node, logs.agent_name(0), own_process=False)
    start(spec, key, f"{node}/{logs.agent_name(0)}")


def start(spec: WorkerSpec, key: str = LOCAL, agent: str = "process001") -> None:
    """Load the script and call init() (once per worker process and run); a failure is kept
    and raised by every score() call, so the run stops with the script's own message."""
    _agents[key] = agent
    try:
        _scorers[key] = Scorer(spec)
    except EntryScriptError as exc:
        _failures[key] = str(exc)


def stop(key: str) -> None:
    """The script's shutdown(), then forget the run."""
    scorer = _scorers.pop(key, None)
    _failures.pop(key, None)
    if scorer is not None:
        scorer.shutdown()


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
    return dataclasses.replace(outcome, agent=_agents.get(key, ""), seconds=round(took, 3))
