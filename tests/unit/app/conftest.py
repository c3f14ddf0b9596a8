"""The server in-process: one worker's app (`Worker(settings, Runtime.in_process(...))`) behind
FastAPI's TestClient, no socket."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scorehost.app.process.runtime import Runtime
from scorehost.app.process.worker import Worker
from scorehost.app.settings import Settings


@pytest.fixture(autouse=True)
def _no_azure_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the environment: keep the machine's (and earlier tests') out of it."""
    for name in (
        "AZUREML_MODEL_DIR",
        "AZUREML_ENTRY_SCRIPT",
        "WORKER_COUNT",
        "AML_APP_ROOT",
        "AML_APP_INSIGHTS_ENABLED",
        "AML_APP_INSIGHTS_KEY",
        "AZUREML_CONFIG_FILE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _fresh_schema_registry() -> Iterator[None]:
    """inference-schema registers each decorated run() once per process, by module and name
    (the same for every entry script): in-process tests load typed scripts more than once."""
    yield
    schema_util = sys.modules.get("inference_schema.schema_util")
    if schema_util is not None:
        vars(schema_util)["__functions_schema__"].clear()


def wait_until_loaded(client: TestClient, deadline_s: float = 10) -> None:
    """init() runs in the background after startup: poll readiness as a probe would."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if client.get("/health/ready").json()["status"] != "loading":
            return
        time.sleep(0.01)
    raise AssertionError("init() did not finish")


def worker_for(settings: Settings) -> Worker:
    """A worker assembled as a worker process assembles it, for driving its app in-process."""
    return Worker(settings, Runtime.in_process(settings))


@contextmanager
def served(script: Path, **settings: Any) -> Iterator[TestClient]:
    """`script` served with these settings; yields once init() has finished (or failed)."""
    app = worker_for(Settings(entry_script=script, **settings)).app
    with TestClient(app, raise_server_exceptions=False) as client:
        wait_until_loaded(client)
        yield client
