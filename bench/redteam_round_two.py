"""`make redteam`, second part: every case of the second red-team pass (issue 31), one row each,
from the end-to-end and image tests that assert it, plus the image example's bomb upload against
a live server. Each test uses real components (a uvicorn process over a socket, a full tmpfs, a
memory-limited container); where the machine lacks one the row says why it was skipped."""

import argparse
import os
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import httpx

from bench.redteam import ROOT, serving

E2E = "tests/e2e/test_red_team_round_two.py::"
BUILD = "tests/unit/user_image/"
# (the report's point, what was tried, the tests that assert the answer)
CASES: list[tuple[str, str, list[str]]] = [
    (
        "1",
        "requests kill their worker 8 times / six OOM kills in a 400 MB container",
        [
            E2E + "test_requests_that_kill_their_worker_never_stop_the_server",
            "tests/docker/test_image.py::"
            "test_in_a_memory_limited_container_requests_that_get_oom_killed_never_stop_it",
        ],
    ),
    (
        "2",
        "a full TMPDIR: metrics, uploads; metrics files on a full filesystem",
        [
            E2E + "test_a_full_tmp_never_kills_a_worker",
            E2E + "test_metrics_files_on_a_full_filesystem_lose_samples_not_the_process",
        ],
    ),
    (
        "3",
        "keys file swapped, emptied; /metrics and /docs without a key",
        [
            E2E + "test_keys_rotate_when_the_keys_file_is_swapped_as_a_kubernetes_secret_is",
            E2E + "test_a_keys_file_with_no_key_refuses_to_start",
            E2E + "test_metrics_and_docs_need_the_key_but_on_the_health_port",
        ],
    ),
    (
        "4",
        "build: config.json, .env, keys, links out, link loop",
        [
            BUILD
            + "test_cli.py::test_credentials_ignore_files_and_hidden_files_stay_out_of_the_image",
            BUILD + "test_cli.py::test_a_link_out_of_the_folder_stops_the_build_naming_it",
            "tests/docker/test_user_image.py::test_the_built_image_holds_the_script_but_no_credentials",
        ],
    ),
    (
        "5",
        "build: werkzeug==3.0.0, uvicorn==0.30.0, scorehost==0.0.1, --extra-index-url",
        [
            BUILD + "test_server_pins.py",
            BUILD + "test_cli.py::test_index_options_are_refused_unless_allowed",
            "tests/docker/test_user_image.py::"
            "test_a_requirement_that_would_move_a_server_package_stops_before_building",
        ],
    ),
    (
        "6",
        "model data collection with JSON logs",
        [
            "tests/e2e/test_telemetry.py::test_model_data_is_collected_only_when_asked_and_cut_at_the_cap"
        ],
    ),
    (
        "7",
        "8 streams at --max-concurrent-runs 1; a stream left; 45 blocked streams",
        [
            E2E + "test_streamed_answers_run_in_the_run_slot_one_step_at_a_time",
            E2E + "test_a_stream_the_caller_leaves_is_closed_at_once_on_its_thread",
            E2E + "test_streams_that_block_hold_the_run_slot_not_the_server",
        ],
    ),
    (
        "8",
        "run() leaking 30 MB a call",
        [E2E + "test_a_worker_that_leaks_is_recycled_after_its_request_and_none_is_lost"],
    ),
    (
        "9",
        "supervisor SIGKILLed",
        [E2E + "test_workers_die_with_their_supervisor_and_free_the_port"],
    ),
    (
        "10",
        "a newline in an exception's message",
        [E2E + "test_a_callers_text_in_an_exception_cannot_forge_a_log_line"],
    ),
    (
        "11",
        "1,100 levels of JSON in the query",
        [E2E + "test_json_nested_too_deeply_in_the_query_string_is_400"],
    ),
    (
        "12",
        "AMLResponse status 99/600/999, bad header",
        [E2E + "test_a_response_http_cannot_carry_is_a_clear_500"],
    ),
    (
        "13",
        "bad config file, inf timeout, AAD connection string",
        [
            E2E + "test_settings_that_cannot_work_are_exit_2_naming_them",
            E2E + "test_a_config_file_that_cannot_be_read_is_exit_2",
            E2E
            + "test_a_connection_string_the_exporter_refuses_leaves_telemetry_off_not_the_server",
        ],
    ),
    (
        "14",
        "23 MB swagger.json, a broken one",
        [
            E2E + "test_a_large_swagger_file_is_read_once_off_the_event_loop_"
            "and_a_broken_one_is_a_clear_500"
        ],
    ),
    (
        "15",
        "100 KB header block in one write; 60 KB TraceId",
        [
            E2E + "test_a_header_block_over_the_limit_in_one_write_is_431",
            E2E + "test_a_trace_id_is_echoed_only_at_an_ids_length",
        ],
    ),
]


def declared_png(width: int, height: int) -> bytes:
    """A few bytes of PNG whose header declares a huge RGBA picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def bomb_uploads(model_dir: Path, port: int) -> str:
    """Point 1's upload, six times, to the shipped image example on a live server."""
    log = ROOT / ".bench" / "redteam-image.log"
    log.parent.mkdir(exist_ok=True)
    with serving("scorehost/examples/image/score.py", model_dir, port, log) as server:
        before = server.peak_mb()
        bomb = declared_png(13000, 13000)
        answers = [httpx.post(f"{server.url}/score", content=bomb, timeout=60) for _ in range(6)]
        codes = sorted({a.status_code for a in answers})
        alive = httpx.get(f"{server.url}/", timeout=5).status_code
        error = answers[0].json()["error"][:40]
        return (
            f"{len(bomb)} B PNG declaring 13000x13000, x6: {codes} ({error}...); "
            f"worker peak {before} -> {server.peak_mb()} MB; GET / {alive}"
        )


def run_tests(node_ids: list[str]) -> dict[str, tuple[str, float]]:
    """pytest once over every case; per node id prefix: passed/failed/skipped and seconds."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.xml"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--junitxml={report}",
                *node_ids,
            ],
            cwd=ROOT,
            env=os.environ,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        results: dict[str, tuple[str, float]] = {}
        # our own pytest's report, not untrusted input
        for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314
            name = f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name')}"
            outcome = "passed"
            for child in case:
                if child.tag in ("failure", "error"):
                    outcome = "FAILED"
                elif child.tag == "skipped":
                    outcome = f"skipped ({child.get('message', '')[:60]})"
            results[name] = (outcome, float(case.get("time", 0)))
        return results


def _row_result(node_ids: list[str], results: dict[str, tuple[str, float]]) -> str:
    parts = []
    for node in node_ids:
        matched = [v for k, v in results.items() if k.startswith(node.rstrip(":"))] or [
            ("not run", 0.0)
        ]
        outcomes = sorted({outcome for outcome, _ in matched})
        seconds = sum(s for _, s in matched)
        parts.append(
            f"{node.split('::')[-1].removesuffix('.py')}: {', '.join(outcomes)} ({seconds:.1f} s)"
        )
    return "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=ROOT / "models" / "mnist")
    parser.add_argument("--port", type=int, default=5098)
    args = parser.parse_args()
    started = time.monotonic()
    live = bomb_uploads(args.model_dir, args.port)
    print(f"| 1 (live) | the image example's bomb upload | {live} |")
    results = run_tests([node for _, _, nodes in CASES for node in nodes])
    print()
    print("| point | case | tests: result (time) |")
    print("|---|---|---|")
    failed = 0
    for point, what, nodes in CASES:
        row = _row_result(nodes, results)
        failed += "FAILED" in row or "not run" in row
        print(f"| {point} | {what} | {row} |", flush=True)
    print(
        f"\n{len(CASES) - failed} of {len(CASES)} cases pass ({time.monotonic() - started:.0f} s)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
