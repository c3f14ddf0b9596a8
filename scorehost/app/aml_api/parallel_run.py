"""`from azureml_user.parallel_run import EntryScript`: the helper Azure ML's batch driver gives
entry scripts (Microsoft Learn, "Troubleshooting the ParallelRunStep": its logger, log_dir,
agent_name and output_dir), answering from what `scorehost batch` sets in each worker process.

- `logger` writes to logs/user/entry_script_log/<node_id>/<agent_name>.log.txt, at the run's
  --logging-level (INFO by default);
- `log_dir` is that folder; `agent_name` the process's name, processNNN; `node_id` "0" on local
  processes, the Dask worker's name on a cluster;
- `output_dir` is the run's output folder (AZUREML_BI_OUTPUT_PATH), where a summary_only script
  writes its own files.

Outside `scorehost batch` (a script imported elsewhere) the logger writes to stderr and the
folders are the current one's."""

import logging
import os
import sys
from pathlib import Path
from typing import ClassVar

LOG_ROOT_ENV = "SCOREHOST_BATCH_LOG_DIR"  # the run's logs/ folder
NODE_ENV = "SCOREHOST_BATCH_NODE_ID"
AGENT_ENV = "SCOREHOST_BATCH_AGENT"
LEVEL_ENV = "SCOREHOST_BATCH_LOGGING_LEVEL"
OUTPUT_ENV = "AZUREML_BI_OUTPUT_PATH"


def entry_script_log_dir(logs: Path, node_id: str) -> Path:
    return logs / "user" / "entry_script_log" / node_id


class EntryScript:
    """One per process (Azure ML's is a singleton: every EntryScript() is the same object)."""

    _instance: ClassVar["EntryScript | None"] = None

    def __new__(cls) -> "EntryScript":
        if cls._instance is None:
            instance = super().__new__(cls)
            instance._setup()
            cls._instance = instance
        return cls._instance

    def _setup(self) -> None:
        self.node_id = os.environ.get(NODE_ENV, "0")
        self.agent_name = os.environ.get(AGENT_ENV, "process000")
        logs = os.environ.get(LOG_ROOT_ENV)
        self.log_dir = str(entry_script_log_dir(Path(logs) if logs else Path("logs"), self.node_id))
        self.output_dir = os.environ.get(OUTPUT_ENV, str(Path.cwd()))
        self.working_dir = str(Path.cwd())
        self.logger = logging.getLogger(f"azureml_user.parallel_run.{self.agent_name}")
        self.logger.setLevel(os.environ.get(LEVEL_ENV, "INFO").upper())
        self.logger.propagate = False
        if not self.logger.handlers:
            handler: logging.Handler
            if logs:
                Path(self.log_dir).mkdir(parents=True, exist_ok=True)
                path = Path(self.log_dir) / f"{self.agent_name}.log.txt"
                handler = logging.FileHandler(path, encoding="utf-8")
            else:
                handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(
                logging.Formatter("%(asctime)s|%(levelname)s|%(process)d|%(message)s")
            )
            self.logger.addHandler(handler)
