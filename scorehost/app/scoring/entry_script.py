"""The only module that touches user code: load score.py by path, call init() and run()."""

import importlib.util
import inspect
import os
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from scorehost.app.aml_api import aliases
from scorehost.app.aml_api.aml_request import MARK as RAWHTTP_MARK
from scorehost.app.scoring.typed_input import TypedInput, typed_input_of

MODULE_NAME = "entry_module"  # the name Azure ML's server gives the entry script
# Microsoft's own modules, where installed: their @rawhttp sets a flag on the module instead.
_REAL_RAWHTTP_MODULES = (
    "azureml_inference_server_http.api.aml_request",
    "azureml.contrib.services.aml_request",
)


class EntryScriptError(Exception):
    """The script cannot be served: missing, fails to import, lacks init/run, or init() failed."""


class RunRaised(Exception):
    """run() raised after `exec_ms`; `original` is what it raised (also chained as __cause__)."""

    def __init__(self, original: BaseException, exec_ms: float) -> None:
        super().__init__(f"{type(original).__name__}: {original}")
        self.original = original
        self.exec_ms = exec_ms


@dataclass(frozen=True)
class Ran:
    """What run() returned, and how long it took (Azure ML's x-ms-run-fn-exec-ms)."""

    value: Any
    exec_ms: float


def _callable(module: ModuleType, name: str, path: Path) -> Callable[..., Any]:
    function = getattr(module, name, None)
    if not callable(function):
        raise EntryScriptError(f"{path} does not define a {name}() function.")
    return function  # type: ignore[no-any-return]


@dataclass(frozen=True)
class UserScript:
    path: Path
    module: ModuleType
    init_function: Callable[[], Any]
    run_function: Callable[..., Any]
    data_parameter: str
    wants_headers: bool
    typed: TypedInput | None  # run() decorated with inference-schema's @input_schema
    raw: bool = False  # run() decorated with @rawhttp: it gets the request itself

    @classmethod
    def load(
        cls, path: Path, environment: Mapping[str, str] | None = None, paths: Sequence[Path] = ()
    ) -> "UserScript":
        """Import the script as Azure ML does: by file path, its folder and `paths` importable,
        `environment` exported (init() reads $AZUREML_MODEL_DIR), Azure ML's API importable."""
        if not path.is_file():
            raise EntryScriptError(f"Entry script {path} does not exist.")
        os.environ.update(environment or {})
        folder = str(path.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)  # so `import utils` beside score.py works
        sys.path.extend(str(extra) for extra in paths if str(extra) not in sys.path)
        aliases.install()
        spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
        if spec is None or spec.loader is None:
            raise EntryScriptError(f"{path} cannot be imported as a Python module.")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:
            raise EntryScriptError(f"Importing {path} failed: {type(exc).__name__}: {exc}") from exc
        init_function = _callable(module, "init", path)
        run_function = _callable(_driven(module), "run", path)
        data_parameter, wants_headers = _analyse_run(run_function, path)
        typed = typed_input_of(run_function)
        raw = _is_rawhttp(run_function)
        if raw and typed is not None:
            raise EntryScriptError(f"run() in {path} cannot be both @rawhttp and @input_schema.")
        return cls(
            path=path,
            module=module,
            init_function=init_function,
            run_function=run_function,
            data_parameter=data_parameter,
            wants_headers=wants_headers,
            typed=typed,
            raw=raw,
        )

    def init(self) -> None:
        try:
            self.init_function()
        except BaseException as exc:
            raise EntryScriptError(
                f"init() in {self.path} failed: {type(exc).__name__}: {exc}"
            ) from exc

    def run(self, data: Any, headers: Mapping[str, str]) -> Ran:
        return self.run_with({self.data_parameter: data}, headers)

    def run_with(self, values: dict[str, Any], headers: Mapping[str, str]) -> Ran:
        """Call run() with these keyword arguments (typed scripts: the decoded parameters;
        raw scripts: the request), and `request_headers` if it asks for them."""
        kwargs = dict(values)
        if self.wants_headers:
            kwargs["request_headers"] = headers
        started = time.perf_counter()
        try:
            value = self.run_function(**kwargs)
        except BaseException as exc:
            raise RunRaised(exc, (time.perf_counter() - started) * 1000) from exc
        return Ran(value, (time.perf_counter() - started) * 1000)

    def expected_features(self) -> int | None:
        """How many values a row needs, read from the fitted estimator init() stored, if any."""
        found = [
            (name, getattr(value, "n_features_in_", None))
            for name, value in vars(self.module).items()
            if not isinstance(value, type)
        ]
        counts = {name: n for name, n in found if isinstance(n, int)}
        if "model" in counts:
            return counts["model"]
        return next(iter(counts.values())) if len(set(counts.values())) == 1 else None


def user_frames(error: EntryScriptError, folder: Path) -> list[str]:
    """Where in the user's own files (the script's folder) the cause of `error` was raised:
    `file:line in function: code`, innermost last; scorehost's and libraries' frames left out."""
    cause = error.__cause__
    if cause is None:
        return []
    frames = traceback.extract_tb(cause.__traceback__)
    mine = [frame for frame in frames if Path(frame.filename).resolve().is_relative_to(folder)]
    return [f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}" for frame in mine]


def _driven(module: ModuleType) -> ModuleType:
    """The module whose run() serves: a generated driver script (Azure ML's SDKs write them)
    names the real score script `driver_module`; its init() still runs the driver's."""
    driven = getattr(module, "driver_module", None)
    return driven if isinstance(driven, ModuleType) and hasattr(driven, "run") else module


def _is_rawhttp(run_function: Callable[..., Any]) -> bool:
    if getattr(run_function, RAWHTTP_MARK, False):
        return True
    return any(
        getattr(sys.modules.get(name), "_rawHttpRequested", False) for name in _REAL_RAWHTTP_MODULES
    )


def _analyse_run(run_function: Callable[..., Any], path: Path) -> tuple[str, bool]:
    """Decide how to call run(), with the rules of Azure ML's server."""
    parameters = list(inspect.signature(run_function).parameters.values())
    allowed = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    if any(parameter.kind not in allowed for parameter in parameters):
        raise EntryScriptError(
            f"run() in {path} cannot take positional-only arguments, *args or **kwargs."
        )
    wants_headers = any(parameter.name == "request_headers" for parameter in parameters)
    data_parameters = [p.name for p in parameters if p.name != "request_headers"]
    if not data_parameters:
        raise EntryScriptError(f"run() in {path} must take an argument for the request data.")
    return data_parameters[0], wants_headers
