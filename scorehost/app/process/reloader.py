"""--reload: watch the entry script's folder and the model dir, and report each batch of
changes (watchfiles, in a thread of the supervisor's)."""

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from scorehost.app.settings import Settings

log = logging.getLogger("scorehost.supervisor")


def watched_paths(settings: Settings) -> list[Path]:
    """Where a change may restart the worker: the script's folder (its own modules too), the
    source directory and the model dir, those that exist."""
    candidates = [settings.entry_script_path.parent, settings.source_dir_path, settings.model_dir]
    paths: list[Path] = []
    for path in candidates:
        if path is not None and path.exists() and path.resolve() not in paths:
            paths.append(path.resolve())
    return paths


class ScriptAndModelFilter(watchfiles.DefaultFilter):
    """Python files anywhere watched, and every file of the model dir: a log or an output file
    written beside score.py must not restart the worker it came from (a reload loop)."""

    def __init__(self, model_dir: Path | None) -> None:
        super().__init__()
        self._model_dir = model_dir.resolve() if model_dir is not None else None

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if not super().__call__(change, path):
            return False
        if self._model_dir is not None and Path(path).is_relative_to(self._model_dir):
            return True
        return path.endswith(".py")


def describe(changes: Iterable[tuple[watchfiles.Change, str]], roots: list[Path]) -> str:
    """`modified score.py, added utils.py`: each change, named relative to the innermost watched
    folder holding it."""

    innermost_first = sorted(roots, key=lambda root: len(root.parts), reverse=True)

    def name(path: str) -> str:
        changed = Path(path)
        for root in innermost_first:
            if changed.is_relative_to(root):
                return str(changed.relative_to(root))
        return path

    return ", ".join(sorted(f"{change.name} {name(path)}" for change, path in changes))


class Reloader:
    """Calls `on_change` with a description of each batch of changes until stopped."""

    def __init__(self, settings: Settings, on_change: Callable[[str], None]) -> None:
        self._paths = watched_paths(settings)
        self._filter = ScriptAndModelFilter(settings.model_dir)
        self._on_change = on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="reloader", daemon=True)

    def start(self) -> None:
        log.info("Reloading on changes under %s", ", ".join(map(str, self._paths)))
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        for changes in watchfiles.watch(
            *self._paths, watch_filter=self._filter, stop_event=self._stop
        ):
            self._on_change(describe(changes, self._paths))
