"""Telemetry to Application Insights through Azure Monitor's real exporter, against a local
stand-in for the ingestion endpoint (`IngestionEndpoint=` in the connection string): what
arrives for scoring calls, a failing run(), logs and probes."""

import gzip
import json
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from tests.http_fakes import body_of, local_server, reply
from tests.paths import SCRIPTS
from tests.servers import StartServer

pytestmark = pytest.mark.e2e
IKEY = "00000000-0000-4000-8000-000000000001"
# OpenTelemetry's own variables: export every 200 ms instead of 5 s (spans, logs) and 60 s.
FAST_EXPORTS = {
    "OTEL_BSP_SCHEDULE_DELAY": "200",
    "OTEL_BLRP_SCHEDULE_DELAY": "200",
    "OTEL_METRIC_EXPORT_INTERVAL": "500",
}


def connection_string(ingestion_url: str) -> str:
    """Application Insights' connection string, sending to our stand-in."""
    return f"InstrumentationKey={IKEY};IngestionEndpoint={ingestion_url.rstrip('/')}/"


class Ingestion:
    """Envelopes as Application Insights' /v2.1/track receives them."""

    def __init__(self) -> None:
        self.envelopes: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = body_of(handler)
        if handler.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        items = json.loads(body) if body else []
        with self._lock:
            self.paths.append(handler.path)
            self.envelopes.extend(items if isinstance(items, list) else [items])
        answer = {"itemsReceived": len(items), "itemsAccepted": len(items), "errors": []}
        reply(handler, 200, json.dumps(answer).encode(), "application/json")

    def of_type(self, base_type: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                e["data"]["baseData"] for e in self.envelopes if e["data"]["baseType"] == base_type
            ]


@pytest.fixture
def ingestion() -> Iterator[tuple[Ingestion, str]]:
    received = Ingestion()
    with local_server(received.handle) as url:
        yield received, url


def _stop(server: Any) -> None:
    server.process.send_signal(signal.SIGTERM)  # the last batch is sent on the way out
    assert server.wait_exit(60) == 0


def test_each_scoring_call_is_a_request_item_and_probes_are_not(
    start_server: StartServer, ingestion: tuple[Ingestion, str]
) -> None:
    received, url = ingestion
    connection = connection_string(url)
    server = start_server(
        "--entry-script",
        SCRIPTS / "telemetry.py",
        env={"APPLICATIONINSIGHTS_CONNECTION_STRING": connection},
    )
    ok = httpx.post(
        f"{server.url}/score", content="hi", headers={"x-ms-client-request-id": "client-1"}
    )
    failed = httpx.post(f"{server.url}/score", content="boom")
    for probe in ("/", "/health/ready", "/health/live", "/metrics"):
        httpx.get(f"{server.url}{probe}")
    _stop(server)

    assert (ok.status_code, failed.status_code) == (200, 500)
    assert set(received.paths) == {"/v2.1/track"}
    requests = received.of_type("RequestData")
    print(json.dumps(requests, indent=1))
    assert [r["name"] for r in requests] == ["POST /score", "POST /score"]
    by_code = {r["responseCode"]: r for r in requests}
    assert by_code["200"]["success"] is True and by_code["500"]["success"] is False
    assert by_code["200"]["properties"]["Request Id"] == ok.headers["x-ms-request-id"]
    assert by_code["200"]["properties"]["Client Request Id"] == "client-1"
    assert by_code["500"]["properties"]["Run Failed"] == "True"
    assert all(re.fullmatch(r"0\.00:00:0\d\.\d{3}", r["duration"]) for r in requests)
    assert by_code["200"]["url"] == f"{server.url}/score"
    exceptions = received.of_type("ExceptionData")
    (failure,) = [d for e in exceptions for d in e["exceptions"] if d["typeName"] == "ValueError"]
    assert 'raise ValueError("boom from run")' in failure["stack"]  # the script's own line
    messages = [m["message"] for m in received.of_type("MessageData")]
    assert messages.count("scoring hi") == 1  # the script's print, once
    assert "init done" in messages
    assert not [m for m in messages if '"GET ' in m]  # no access lines: probes leave nothing
    assert "model_data_collection" not in messages  # off unless asked for


def test_model_data_is_collected_only_when_asked_and_cut_at_the_cap(
    start_server: StartServer, ingestion: tuple[Ingestion, str]
) -> None:
    received, url = ingestion
    server = start_server(
        "--entry-script",
        SCRIPTS / "telemetry.py",
        env={
            "APPLICATIONINSIGHTS_CONNECTION_STRING": connection_string(url),
            "AML_MODEL_DC_STORAGE_ENABLED": "true",
            "SCOREHOST_MODEL_DATA_MAX_BYTES": "256",
            "SCOREHOST_LOG_FORMAT": "json",
        },
    )
    small = httpx.post(f"{server.url}/score", content="hi")
    httpx.post(f"{server.url}/score", content="x" * 1000)
    _stop(server)
    # the user's data goes to the telemetry backend alone, never into the container's log
    assert "model_data_collection" not in server.log()
    assert '"Prediction"' not in server.log()  # (the script's own prints are its business)

    collected = [
        m for m in received.of_type("MessageData") if m["message"] == "model_data_collection"
    ]
    by_input = {m["properties"]["Input"][:2]: m["properties"] for m in collected}
    assert by_input["hi"]["Prediction"] == '{"echo":"hi"}'
    assert by_input["hi"]["Request Id"] == small.headers["x-ms-request-id"]
    assert by_input["xx"]["Input"] == "x" * 256 + "... (1000 bytes, cut at 256)"


class OtlpReceiver:
    """What an OTLP/HTTP collector receives (protobuf), decoded with OpenTelemetry's own types."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[bytes]] = {}
        self._lock = threading.Lock()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = body_of(handler)
        if handler.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        with self._lock:
            self.bodies.setdefault(handler.path, []).append(body)
        reply(handler, 200, b"", "application/x-protobuf")

    def spans(self) -> list[Any]:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        found: list[Any] = []
        for body in self.bodies.get("/v1/traces", []):
            request = ExportTraceServiceRequest.FromString(body)
            for resource in request.resource_spans:
                for scope in resource.scope_spans:
                    found.extend(scope.spans)
        return found

    def log_bodies(self) -> list[str]:
        from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
            ExportLogsServiceRequest,
        )

        found: list[str] = []
        for body in self.bodies.get("/v1/logs", []):
            for resource in ExportLogsServiceRequest.FromString(body).resource_logs:
                for scope in resource.scope_logs:
                    found.extend(record.body.string_value for record in scope.log_records)
        return found

    def metric_names(self) -> set[str]:
        from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
            ExportMetricsServiceRequest,
        )

        names: set[str] = set()
        for body in self.bodies.get("/v1/metrics", []):
            for resource in ExportMetricsServiceRequest.FromString(body).resource_metrics:
                for scope in resource.scope_metrics:
                    names.update(metric.name for metric in scope.metrics)
        return names


def test_otlp_receives_the_same_spans_logs_and_metrics(start_server: StartServer) -> None:
    received = OtlpReceiver()
    with local_server(received.handle) as url:
        server = start_server(
            "--entry-script", SCRIPTS / "telemetry.py", env={"OTEL_EXPORTER_OTLP_ENDPOINT": url}
        )
        answer = httpx.post(f"{server.url}/score", content="hi")
        httpx.get(f"{server.url}/")
        _stop(server)

    (span,) = received.spans()
    attributes = {a.key: a.value for a in span.attributes}
    assert span.name == "POST /score"
    assert attributes["http.response.status_code"].int_value == 200
    assert attributes["Request Id"].string_value == answer.headers["x-ms-request-id"]
    assert "scoring hi" in received.log_bodies()
    assert {"http.server.request.duration", "http.server.active_requests"} <= (
        received.metric_names()
    )


def test_an_endpoint_that_never_answers_costs_scoring_nothing_and_is_said_once(
    start_server: StartServer,
) -> None:
    with socket.socket() as black_hole:  # accepts connections (the backlog), never answers
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(64)
        url = f"http://127.0.0.1:{black_hole.getsockname()[1]}/"
        server = start_server(
            "--entry-script",
            SCRIPTS / "telemetry.py",
            env={
                "APPLICATIONINSIGHTS_CONNECTION_STRING": connection_string(url),
                "OTEL_EXPORTER_OTLP_ENDPOINT": url,
                "SCOREHOST_TELEMETRY_EXPORT_TIMEOUT_S": "1",
                **FAST_EXPORTS,
            },
        )
        answers = []
        for i in range(50):
            answers.append(httpx.post(f"{server.url}/score", content=f"row {i}", timeout=5))
            time.sleep(0.1)  # 5 s of traffic: many export rounds fail meanwhile
        _stop(server)

    assert {answer.status_code for answer in answers} == {200}
    assert server.log().count("Telemetry export failed") == 1, server.log()
