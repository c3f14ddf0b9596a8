"""The health probe a container runs every few seconds, kept to the standard library.

`serve` writes the URL of its health route to the probe file once it listens (`--probe-file`,
the image sets it) and removes it on the way out; `python -m scorehost.app.probe FILE` GETs that
URL: exit 0 on 200, 1 otherwise. No settings, numpy or HTTP client is imported, so each probe
costs a bare interpreter start, not the server's imports (Docker's HEALTHCHECK on a 1-CPU ACI
container runs it every 10 s)."""

import http.client
import socket
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

TIMEOUT_S = 3.0


def health_url(sock: socket.socket) -> str:
    """GET / on the socket's address as a local client reaches it (any-address -> loopback)."""
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        return f"http://[{'::1' if host == '::' else host}]:{port}/"
    return f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}/"


def announce(probe_file: Path, url: str) -> None:
    """Write the URL atomically, so a probe never reads half of it."""
    partial = probe_file.with_name(probe_file.name + ".partial")
    partial.write_text(url + "\n", encoding="utf-8")
    partial.replace(probe_file)


def check(url: str) -> tuple[bool, str]:
    """(healthy, what to print) for one GET of the health URL."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=TIMEOUT_S)
    try:
        connection.request("GET", parts.path or "/")
        response = connection.getresponse()
        body = response.read(80).decode("utf-8", "replace")
    except OSError as exc:
        return False, f"{url}: {exc}"
    finally:
        connection.close()
    return response.status == 200, f"{url}: {response.status} {body}"


def report(url: str) -> int:
    """GET the health URL once, print what came back; the exit code (0 healthy, 1 not)."""
    healthy, text = check(url)
    print(text, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        print("usage: python -m scorehost.app.probe PROBE_FILE", file=sys.stderr)
        return 2
    try:
        url = Path(args[0]).read_text(encoding="utf-8").strip()
    except OSError as exc:
        print(f"{args[0]}: {exc.strerror}: the server is not listening yet", file=sys.stderr)
        return 1
    return report(url)


if __name__ == "__main__":
    raise SystemExit(main())
