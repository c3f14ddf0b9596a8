"""What a second red-team pass found, each case against a real server over a real socket
(loopback, bounded in time and count): no request stops the server, keys rotate, nothing a
caller sends is logged as something else. `make redteam` prints these cases as a table."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.paths import EXAMPLES, ROOT, SCRIPTS
from tests.servers import StartServer, free_port

pytestmark = pytest.mark.e2e


def _until(condition: Callable[[], bool], deadline_s: float = 10) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.05)


def test_keys_rotate_when_the_keys_file_is_swapped_as_a_kubernetes_secret_is(
    start_server: StartServer, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.write_text("old-key-1111\n")
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--api-keys-file", keys)
    url = f"{server.url}/score"

    def status(key: str) -> int:
        return httpx.post(url, content="x", headers={"Authorization": f"Bearer {key}"}).status_code

    assert (status("old-key-1111"), status("new-key-2222")) == (200, 401)
    swapped = tmp_path / "keys.new"
    swapped.write_text("# rotated\nnew-key-2222\n")
    swapped.replace(keys)  # a new file in its place, as the Secret's volume swaps it

    _until(lambda: status("new-key-2222") == 200)
    assert status("old-key-1111") == 401
    keys.write_text("# emptied by a broken rotation\n")
    time.sleep(1.5)
    assert status("new-key-2222") == 200  # the last good keys stay; the API never opens
    assert status("anything") == 401
    assert "keeping the keys it held before" in server.log()


def test_a_keys_file_with_no_key_refuses_to_start(
    start_server: StartServer, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# nothing yet\n")
    server = start_server(
        "--entry-script", SCRIPTS / "echo.py", "--api-keys-file", keys, wait=False
    )
    assert server.wait_exit() == 2
    assert "holds no key" in server.log()


def test_metrics_and_docs_need_the_key_but_on_the_health_port(start_server: StartServer) -> None:
    health = free_port()
    server = start_server(
        "--entry-script",
        SCRIPTS / "echo.py",
        "--health-port",
        str(health),
        env={"SCOREHOST_PRIMARY_KEY": "primary-key-3333"},
    )
    for path in ("/metrics", "/openapi.json", "/docs"):
        assert httpx.get(f"{server.url}{path}").status_code == 401, path
        assert httpx.get(f"http://127.0.0.1:{health}{path}").status_code == 200, path
    assert httpx.get(f"{server.url}/swagger.json").status_code == 200  # as azmlinfsrv


def test_requests_that_kill_their_worker_never_stop_the_server(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "dies_on_request.py")
    url = f"{server.url}/score"

    for _ in range(
        8
    ):  # more than the 5 deaths in 60 s that stop a server whose workers never start
        _until(lambda: _answers(url))  # a worker is there to kill
        with pytest.raises(httpx.TransportError):
            httpx.post(url, content="die", timeout=10)

    _until(lambda: _answers(url))
    assert server.process.poll() is None
    assert server.log().count("died while serving (killed by SIGKILL") == 8
    assert "stopping" not in server.log()


def _answers(url: str) -> bool:
    try:
        return httpx.post(url, content="hello", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_a_worker_that_leaks_is_recycled_after_its_request_and_none_is_lost(
    start_server: StartServer,
) -> None:
    server = start_server(
        "--entry-script",
        SCRIPTS / "leaks.py",
        env={"SCOREHOST_WORKER_MEMORY_LIMIT_BYTES": str(400 * 2**20)},
    )
    statuses = [
        httpx.post(f"{server.url}/score", content="x", timeout=60).status_code for _ in range(30)
    ]

    assert statuses == [200] * 30  # 900 MB leaked in all: the worker was recycled on the way
    assert "more than its 400 MB share of memory: recycling it" in server.log()
    assert "recycled: its memory passed its share" in server.log()
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'scorehost_worker_recycles_total{reason="memory"}' in metrics


def test_workers_die_with_their_supervisor_and_free_the_port(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--workers", "2")
    port = int(server.url.rsplit(":", 1)[1])

    os.kill(server.process.pid, signal.SIGKILL)  # the supervisor only
    server.process.wait()

    def port_free() -> bool:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
            return True

    _until(port_free, deadline_s=30)


def test_the_oom_killer_takes_a_worker_before_the_supervisor(start_server: StartServer) -> None:
    # the kernel picks its victim by oom_score: workers raise theirs to the top, so running out
    # of memory ends a worker (replaced), never the supervisor and the container with it
    server = start_server("--entry-script", SCRIPTS / "echo.py", "--workers", "2")
    workers = subprocess.run(
        ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
    ).stdout.split()
    adjust = [Path(f"/proc/{pid}/oom_score_adj").read_text().strip() for pid in workers]
    assert len(workers) == 2 and adjust == ["1000", "1000"]
    supervisor = Path(f"/proc/{server.process.pid}/oom_score_adj").read_text().strip()
    assert int(supervisor) < 1000


@pytest.fixture
def full_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB tmpfs, filled to the last byte (needs root: skipped elsewhere)."""
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        with contextlib.suppress(OSError), (mount / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_tmp_never_kills_a_worker(
    start_server: StartServer, full_tmpfs: Path, mnist_model_dir: Path
) -> None:
    # $TMPDIR full (another process filled it): the metrics files live elsewhere, uploads are
    # kept in memory, and every new metric series still works
    server = start_server(
        "--entry-script",
        EXAMPLES / "image" / "score.py",
        "--model-dir",
        mnist_model_dir,
        env={"TMPDIR": str(full_tmpfs)},
    )
    part = b'Content-Disposition: form-data; name="image"; filename="x.png"'
    broken = b"--b\r\n" + part + b"\r\n\r\n"  # never closed: the parse fails at the end
    for n in range(6):  # uploads whose parse fails half way, then new routes and statuses
        httpx.post(
            f"{server.url}/score",
            content=broken + b"x" * 3_000_000,
            headers={"Content-Type": "multipart/form-data; boundary=b"},
            timeout=30,
        )
        httpx.get(f"{server.url}/nowhere-{n}")
    assert httpx.get(f"{server.url}/metrics").status_code == 200
    assert httpx.get(f"{server.url}/health/ready").status_code == 200
    assert "died" not in server.log()


def test_metrics_files_on_a_full_filesystem_lose_samples_not_the_process(full_tmpfs: Path) -> None:
    # the worst case, the metrics folder itself full: an OSError and a warning, never SIGBUS
    code = (
        "import sys\n"
        "from scorehost.app.web.metrics_files import ReservedMmapedDict\n"
        "try:\n"
        f"    ReservedMmapedDict({str(full_tmpfs / 'counter_1.db')!r})\n"
        "except OSError as exc:\n"
        "    print('OSError', exc.errno)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr  # -7 would be SIGBUS
    assert done.stdout.strip() == "OSError 28"  # ENOSPC


def test_a_callers_text_in_an_exception_cannot_forge_a_log_line(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "raises_callers_text.py")
    forged = "x\n2026-01-01 00:00:00,000 CRITICAL [1] scorehost.access [-] FORGED\r\n"

    answer = httpx.post(f"{server.url}/score", content=forged)

    assert answer.status_code == 500
    server.wait_for_log("cannot parse")
    assert not [line for line in server.log().splitlines() if line.startswith("2026-01-01")]
    assert "FORGED" in server.log()  # still there to read, indented under its record


def test_json_nested_too_deeply_in_the_query_string_is_400(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py")
    deep = "[" * 1100 + "]" * 1100

    answer = httpx.get(f"{server.url}/score", params={"x": deep})

    assert answer.status_code == 400
    assert "nested too deeply" in answer.json()["message"]
    assert "Traceback" not in server.log()


def _stream_log(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def test_streamed_answers_run_in_the_run_slot_one_step_at_a_time(
    start_server: StartServer, tmp_path: Path
) -> None:
    log = tmp_path / "stream.log"
    server = start_server(
        "--entry-script", SCRIPTS / "streams.py", env={"STREAM_LOG": str(log)}
    )  # --max-concurrent-runs 1, the default

    def stream() -> None:
        httpx.get(f"{server.url}/score", params={"steps": "3", "pause": "0.05"}, timeout=60)

    threads = [threading.Thread(target=stream) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    running, most = 0, 0
    for event, *_ in _stream_log(log):
        running += {"start": 1, "end": -1}.get(event, 0)
        most = max(most, running)
    assert most == 1  # eight streams, never two steps at once
    assert sum(1 for line in _stream_log(log) if line[0] == "closed") == 8
    assert all(line[-2].startswith("user") for line in _stream_log(log))  # the run slot's thread


def test_a_stream_the_caller_leaves_is_closed_at_once_on_its_thread(
    start_server: StartServer, tmp_path: Path
) -> None:
    log = tmp_path / "stream.log"
    server = start_server("--entry-script", SCRIPTS / "streams.py", env={"STREAM_LOG": str(log)})

    with httpx.stream(
        "GET", f"{server.url}/score", params={"steps": "100", "pause": "0.1"}, timeout=30
    ) as answer:
        next(answer.iter_lines())  # the first chunk, then hang up

    _until(lambda: any(line[0] == "closed" for line in _stream_log(log)))
    closed = next(line for line in _stream_log(log) if line[0] == "closed")
    assert closed[1].startswith("user")
    assert sum(1 for line in _stream_log(log) if line[0] == "end") < 100


def test_streams_that_block_hold_the_run_slot_not_the_server(
    start_server: StartServer, tmp_path: Path
) -> None:
    log = tmp_path / "stream.log"
    server = start_server(
        "--entry-script",
        SCRIPTS / "streams.py",
        "--scoring-timeout-ms",
        "2000",
        env={"STREAM_LOG": str(log)},
    )

    def blocking_stream() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{server.url}/score", params={"steps": "1", "pause": "forever"}, timeout=30)

    blocked = [threading.Thread(target=blocking_stream) for _ in range(45)]
    for thread in blocked:
        thread.start()
    time.sleep(1)

    started = time.monotonic()
    assert httpx.get(f"{server.url}/metrics", timeout=10).status_code == 200
    assert time.monotonic() - started < 2
    for thread in blocked:
        thread.join()
    _until(lambda: "A step of run()'s streamed answer took more than 2000 ms" in server.log())


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "999"}, "status 999; HTTP has 100-599"),
        ({"status": "99"}, "status 99; HTTP has 100-599"),
        ({"header": "café ☕"}, "HTTP header values are Latin-1"),
    ],
)
def test_a_response_http_cannot_carry_is_a_clear_500(
    start_server: StartServer, tmp_path: Path, params: dict[str, str], message: str
) -> None:
    server = start_server(
        "--entry-script", SCRIPTS / "streams.py", env={"STREAM_LOG": str(tmp_path / "log")}
    )
    answer = httpx.get(f"{server.url}/score", params=params)
    assert answer.status_code == 500
    assert message in answer.json()["message"]
    assert 'status="999"' not in httpx.get(f"{server.url}/metrics").text


def test_a_trace_id_is_echoed_only_at_an_ids_length(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py")
    short = httpx.post(f"{server.url}/score", content="x", headers={"TraceId": "abc-123"})
    huge = httpx.post(f"{server.url}/score", content="x", headers={"TraceId": "t" * 60_000})
    assert short.headers["traceid"] == "abc-123"
    assert "traceid" not in huge.headers


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SCOREHOST_GRACEFUL_TIMEOUT_S": "inf"}, "graceful_timeout_s"),
        ({"SCOREHOST_SCORING_TIMEOUT_MS": "1e300"}, "scoring_timeout_ms"),
    ],
)
def test_settings_that_cannot_work_are_exit_2_naming_them(
    start_server: StartServer, env: dict[str, str], named: str
) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py", env=env, wait=False)
    assert server.wait_exit() == 2
    assert named in server.log()
    assert "Traceback" not in server.log()


@pytest.mark.parametrize("config", [b"{not json", b"[1, 2]", b"\xff\xfe{}"])
def test_a_config_file_that_cannot_be_read_is_exit_2(
    start_server: StartServer, tmp_path: Path, config: bytes
) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(config)
    argv = ("--entry-script", SCRIPTS / "echo.py", "--config_file", path)
    server = start_server(*argv, wait=False)
    assert server.wait_exit() == 2
    assert f"config file {path}" in server.log()


def test_a_connection_string_the_exporter_refuses_leaves_telemetry_off_not_the_server(
    start_server: StartServer,
) -> None:
    aad = (
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
        "IngestionEndpoint=http://127.0.0.1:9/;Authorization=AAD"
    )
    server = start_server(
        "--entry-script", SCRIPTS / "echo.py", env={"APPLICATIONINSIGHTS_CONNECTION_STRING": aad}
    )
    assert httpx.post(f"{server.url}/score", content="x").status_code == 200
    assert "Telemetry is off" in server.log()


def test_a_large_swagger_file_is_read_once_off_the_event_loop_and_a_broken_one_is_a_clear_500(
    start_server: StartServer, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "score.py").write_text((SCRIPTS / "echo.py").read_text())
    big = {"swagger": "2.0", "x-padding": ["p" * 1000] * 23_000}  # ~23 MB
    (app / "swagger.json").write_text(json.dumps(big))
    (tmp_path / "notes.txt").write_text("not json")
    (app / "swagger3.json").symlink_to(tmp_path / "notes.txt")
    server = start_server("--entry-script", "score.py", "--app-root", app)

    def fetch() -> None:
        httpx.get(f"{server.url}/swagger.json", timeout=60)

    fetchers = [threading.Thread(target=fetch) for _ in range(10)]
    worst = 0.0
    for thread in fetchers:
        thread.start()
    while any(thread.is_alive() for thread in fetchers):
        started = time.monotonic()
        httpx.get(f"{server.url}/health/live", timeout=30)
        worst = max(worst, time.monotonic() - started)
    for thread in fetchers:
        thread.join()

    assert worst < 2.0  # was 9.8 s with the file parsed on the event loop at every request
    broken = [httpx.get(f"{server.url}/swagger.json", params={"version": "3"}) for _ in range(3)]
    assert {answer.status_code for answer in broken} == {500}
    assert "swagger3.json cannot be served" in broken[0].json()["message"]
    assert server.log().count("swagger3.json cannot be served") == 1  # logged once
    assert "Traceback" not in server.log()


def test_a_header_block_over_the_limit_in_one_write_is_431(start_server: StartServer) -> None:
    server = start_server("--entry-script", SCRIPTS / "echo.py")
    port = int(server.url.rsplit(":", 1)[1])
    headers = "".join(f"X-Filler-{n}: {'a' * 1000}\r\n" for n in range(100))  # ~100 KB
    request = f"GET /health/live HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode()

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)  # all of it at once: httptools parses it in one go
        status = sock.recv(100).split(b"\r\n", 1)[0]

    assert status == b"HTTP/1.1 431 Request Header Fields Too Large"
