"""Where mini-batches run: worker processes on this machine (pebble), or a Dask cluster.

Both give back concurrent.futures Futures, keep one call queued per worker beside the one it
runs (so no worker waits for the driver), and fail a run() call past the timeout with
TimeoutError, counted as a failed try. pebble times each call from its start and ends the
worker process (a new one starts and calls init() again). Dask cannot stop a running task and
does not say when one starts: the worker times the call itself and fails it if it took too
long, and a call that hangs is abandoned (its result, if it ever comes, ignored) once it has
been out for longer than the call ahead of it and itself could take, plus a margin."""

import concurrent.futures as cf
import threading
import time
import uuid
from typing import Any, Protocol

from scorehost.batch import worker
from scorehost.batch.errors import BatchUsageError
from scorehost.batch.inputs import MiniBatch
from scorehost.batch.scorer import Outcome, WorkerSpec

# A call waits behind at most one other in its worker (two in flight per thread): each may take
# the timeout, plus one more for the hand-offs through the scheduler.
_ABANDON_AFTER = 3


class Pool(Protocol):
    slots: int  # mini-batches in flight at once: running, or queued for a worker to take next

    def submit(self, batch: MiniBatch) -> "cf.Future[Outcome]": ...

    def close(self, finished: bool) -> None:
        """`finished`: the run is over, so workers end normally (the script's shutdown() runs);
        else they are stopped at once."""


class LocalPool:
    def __init__(self, spec: WorkerSpec, processes: int, timeout_s: float) -> None:
        import multiprocessing

        from pebble import ProcessPool

        self.slots = 2 * processes
        self._timeout_s = timeout_s
        counter = multiprocessing.Value("i", 0)  # names the processes process001, process002...
        self._pool = ProcessPool(
            max_workers=processes, initializer=worker.start_local, initargs=(spec, counter)
        )

    def submit(self, batch: MiniBatch) -> "cf.Future[Outcome]":
        future: cf.Future[Outcome] = self._pool.schedule(
            worker.score, args=(batch,), timeout=self._timeout_s
        )
        return future

    def close(self, finished: bool) -> None:
        if finished:
            self._pool.close()
        else:
            self._pool.stop()
        self._pool.join()


class DaskPool:
    def __init__(self, address: str, spec: WorkerSpec, timeout_s: float) -> None:
        from distributed import Client

        from scorehost.batch.dask_plugin import ScorerPlugin

        try:
            self._client = Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise BatchUsageError(f"--dask {address}: cannot reach the scheduler ({exc})") from exc
        self._key = f"scorehost-batch-{uuid.uuid4().hex}"
        self._client.register_plugin(ScorerPlugin(spec, self._key), name=self._key)
        workers = self._client.scheduler_info()["workers"]
        self.slots = 2 * sum(int(info["nthreads"]) for info in workers.values())
        if not self.slots:
            self._client.close()
            raise BatchUsageError(f"--dask {address}: the scheduler has no workers")
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._running: dict[cf.Future[Outcome], tuple[Any, float]] = {}
        self._closed = threading.Event()
        self._watchdog = threading.Thread(target=self._stop_late_calls, daemon=True)
        self._watchdog.start()

    def submit(self, batch: MiniBatch) -> "cf.Future[Outcome]":
        wrapper: cf.Future[Outcome] = cf.Future()
        wrapper.set_running_or_notify_cancel()
        task = self._client.submit(
            worker.score, batch, self._key, timeout_s=self._timeout_s, pure=False
        )
        with self._lock:
            self._running[wrapper] = (task, time.monotonic() + _ABANDON_AFTER * self._timeout_s)
        task.add_done_callback(lambda done: self._settle(wrapper, done))
        return wrapper

    def _settle(self, wrapper: "cf.Future[Outcome]", task: Any) -> None:
        with self._lock:
            if self._running.pop(wrapper, None) is None:
                return  # abandoned past its timeout
        try:
            wrapper.set_result(task.result())
        except Exception as exc:  # noqa: BLE001 - the task's own exception, re-raised by distributed
            wrapper.set_exception(exc)

    def _stop_late_calls(self) -> None:
        while not self._closed.wait(0.2):
            now = time.monotonic()
            with self._lock:
                late = [(w, t) for w, (t, deadline) in self._running.items() if deadline < now]
                for wrapper, _ in late:
                    del self._running[wrapper]
            for wrapper, task in late:
                task.cancel()
                wrapper.set_exception(
                    TimeoutError(
                        f"run() did not return within {_ABANDON_AFTER * self._timeout_s:g} s of "
                        "being sent to a Dask worker (abandoned; Dask cannot stop it)"
                    )
                )

    def close(self, finished: bool) -> None:
        self._closed.set()
        self._client.unregister_worker_plugin(self._key)  # the workers drop the script
        self._client.close()
