"""An API keys file (one key a line, `#` starts a comment), read again when it changes: its
identity (device, inode, time, size) is looked at once a second at most, and a Kubernetes
Secret's update swaps the file, so a rotated key is accepted and the old one refused without a
restart. A file that becomes unreadable or empty keeps the keys it last held, with a warning: a
broken rotation never opens the API. A leaf module: `serve` checks the file before starting."""

import logging
import time
from pathlib import Path

log = logging.getLogger("scorehost")
RECHECK_S = 1.0


class KeysFileError(ValueError):
    """The keys file cannot be read, or holds no key; the message says which."""


def read_keys_file(path: Path) -> list[str]:
    """The keys of a keys file: its lines but blank ones and comments."""
    try:
        text = path.read_bytes().decode("utf-8")
    except IsADirectoryError:
        raise KeysFileError(f"API keys file {path} is a folder, not a file") from None
    except FileNotFoundError:
        raise KeysFileError(f"API keys file {path} not found") from None
    except OSError as exc:
        raise KeysFileError(
            f"API keys file {path} cannot be read: {exc.strerror} (the server runs as a non-root "
            "user; make the file and its folders readable)"
        ) from None
    except UnicodeDecodeError:
        raise KeysFileError(f"API keys file {path} is not UTF-8 text") from None
    keys = [line.strip() for line in text.splitlines()]
    keys = [key for key in keys if key and not key.startswith("#")]
    if not keys:
        raise KeysFileError(
            f"API keys file {path} holds no key (only blank lines or # comments): /score would "
            "be open to anyone. Put one key a line in it, or drop --api-keys-file"
        )
    return keys


class KeysFile:
    """A keys file's keys, read again when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity = self._stat()
        self.keys = tuple(key.encode() for key in read_keys_file(path))
        self._next_check = time.monotonic() + RECHECK_S

    def _stat(self) -> tuple[int, ...] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def current(self) -> tuple[bytes, ...]:
        now = time.monotonic()
        if now < self._next_check:
            return self.keys
        self._next_check = now + RECHECK_S
        identity = self._stat()
        if identity == self._identity:
            return self.keys
        self._identity = identity
        try:
            keys = tuple(key.encode() for key in read_keys_file(self.path))
        except KeysFileError as exc:
            log.warning("%s; keeping the keys it held before", exc)
            return self.keys
        if keys != self.keys:
            log.info("API keys read again from %s: %d key(s)", self.path, len(keys))
        self.keys = keys
        return keys
