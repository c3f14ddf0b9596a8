"""The Dask worker plugin: each worker loads the script and calls init() once, as it joins the
run (workers that join later too), and drops it when the run is over."""

from typing import Any

from distributed import WorkerPlugin

from scorehost.batch import worker as batch_worker
from scorehost.batch.scorer import WorkerSpec


class ScorerPlugin(WorkerPlugin):
    def __init__(self, spec: WorkerSpec, key: str) -> None:
        self.spec = spec
        self.key = key

    # distributed calls these with worker= by name
    def setup(self, worker: Any) -> None:
        batch_worker.start_dask(self.spec, self.key, str(worker.name))

    def teardown(self, worker: Any) -> None:
        batch_worker.stop(self.key)
