"""The only module that touches user code: load a score.py as Azure ML does, call its init(),
and call its run() the one way its contract says. `serve` and `batch` both load scripts here."""

import importlib.util
import inspect
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any

from scorehost.app.aml_api import aliases
from scorehost.app.aml_api.aml_request import MARK as RAWHTTP_MARK
from scorehost.app.scoring.model_mount import ModelLayout, mounted
from scorehost.app.scoring.pins import PinMismatch, verify_pins
from scorehost.app.scoring.typed_input import TypedInput, typed_input_of

log = logging.getLogger("scorehost")
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


@dataclass(frozen=True)
class ScriptSpec:
    """A script to load and what it sees, as Azure ML sets it up (picklable: batch sends it to
    its worker processes)."""

    path: Path
    model_dir: Path | None = None
    """Exported as AZUREML_MODEL_DIR; a folder that does not exist is only a warning."""
    model_layout: ModelLayout = "folder"
    """How the model folder appears there (scorehost/app/scoring/model_mount.py)."""
    app_root: Path = Path()
    """Exported as AML_APP_ROOT and importable."""
    source_dir: Path | None = None
    """AZUREML_SOURCE_DIRECTORY, resolved: importable too."""
    pins: Mapping[str, str] = field(default_factory=dict)
    """Model files (under model_dir) and their SHA-256: a mismatch refuses to load."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Further variables the caller exports (WORKER_COUNT, Application Insights')."""
    arguments: tuple[str, ...] | None = None
    """The script's own command line: sys.argv is [script, *arguments] when it is imported (a
    batch job's `arguments`, read with parse_known_args); None leaves sys.argv alone."""
    init_optional: bool = False
    """A script without init() is loaded all the same (batch scripts: optional in Azure ML)."""

    def exported(self, model_root: Path | None = None) -> dict[str, str]:
        """The variables Azure ML exports to the script: AZUREML_MODEL_DIR (`model_root`, else
        model_dir) only when there is a model."""
        variables = {
            "AML_APP_ROOT": str(self.app_root.resolve()),
            "AZUREML_ENTRY_SCRIPT": str(self.path),
            **self.environment,
        }
        model = model_root or self.model_dir
        if model is not None:
            variables["AZUREML_MODEL_DIR"] = _as_given(model)
        return variables

    def import_paths(self) -> list[Path]:
        """After the script's own folder: the app root, then the source directory."""
        return [self.app_root.resolve(), *([self.source_dir] if self.source_dir else [])]


def _as_given(model: Path) -> str:
    """The folder as the user wrote it when a variable gave it (`./my/dir/` stays so, as under
    Azure ML's server, which passes the variable on untouched: scripts join strings to it)."""
    for name in ("AZUREML_MODEL_DIR", "SCOREHOST_MODEL_DIR"):
        given = os.environ.get(name)
        if given and Path(given) == model:
            return given
    return str(model)


class Kind(StrEnum):
    TEXT = "text"  # run(raw_data): the body as a str
    TYPED = "typed"  # inference-schema's @input_schema: each parameter decoded
    RAW = "raw"  # @rawhttp: the request itself


@dataclass(frozen=True)
class Contract:
    """How run() is called, decided once when the script is loaded; `call` is the one way every
    caller calls it."""

    kind: Kind
    data_parameter: str  # the parameter the input goes to (the first one but request_headers)
    wants_headers: bool  # run() declares request_headers
    parameters: tuple[str, ...]  # every parameter of run(), in order
    typed: TypedInput | None  # Kind.TYPED: how bodies are decoded
    run_function: Callable[..., Any]

    def call(self, arguments: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> Ran:
        """run(**arguments), with `request_headers` if it asks for them; RunRaised if it raises."""
        kwargs = dict(arguments)
        if self.wants_headers:
            kwargs["request_headers"] = headers or {}
        started = time.perf_counter()
        try:
            value = self.run_function(**kwargs)
        except BaseException as exc:
            raise RunRaised(exc, (time.perf_counter() - started) * 1000) from exc
        return Ran(value, (time.perf_counter() - started) * 1000)


@dataclass(frozen=True)
class Script:
    path: Path
    module: ModuleType
    init_function: Callable[[], Any]
    contract: Contract

    def init(self) -> None:
        try:
            self.init_function()
        except BaseException as exc:
            raise EntryScriptError(
                f"init() in {self.path} failed: {type(exc).__name__}: {exc}"
            ) from exc

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


def load_script(spec: ScriptSpec) -> Script:
    """Import the script as Azure ML does: its model files checked against their pins, its
    variables exported (init() reads $AZUREML_MODEL_DIR), imported by file path with its folder
    and the spec's import paths importable, Azure ML's API importable; then its contract read."""
    path = spec.path
    if not path.is_file():
        raise EntryScriptError(f"Entry script {path} does not exist.")
    try:
        verify_pins(spec.model_dir, spec.pins)
    except PinMismatch as exc:
        raise EntryScriptError(str(exc)) from None
    if spec.model_dir is not None and not spec.model_dir.is_dir():
        log.warning(
            "Model folder %s (AZUREML_MODEL_DIR) does not exist; init() fails if it reads it",
            spec.model_dir,
        )
    root = mounted(spec.model_dir, spec.model_layout) if spec.model_dir is not None else None
    os.environ.update(spec.exported(root))
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # so `import utils` beside score.py works
    sys.path.extend(str(extra) for extra in spec.import_paths() if str(extra) not in sys.path)
    aliases.install()
    if spec.arguments is not None:
        sys.argv = [str(path), *spec.arguments]
    module = _import(path)
    if spec.init_optional and not callable(getattr(module, "init", None)):
        init_function: Callable[[], Any] = _no_init
    else:
        init_function = _callable(module, "init", path)
    run_function = _callable(_driven(module), "run", path)
    return Script(path, module, init_function, _contract_of(run_function, path))


def _no_init() -> None:
    """The init() of a script that has none."""


def _import(path: Path) -> ModuleType:
    importer = importlib.util.spec_from_file_location(MODULE_NAME, path)
    if importer is None or importer.loader is None:
        raise EntryScriptError(f"{path} cannot be imported as a Python module.")
    module = importlib.util.module_from_spec(importer)
    try:
        importer.loader.exec_module(module)
    except BaseException as exc:
        raise EntryScriptError(f"Importing {path} failed: {type(exc).__name__}: {exc}") from exc
    return module


def _callable(module: ModuleType, name: str, path: Path) -> Callable[..., Any]:
    function = getattr(module, name, None)
    if not callable(function):
        raise EntryScriptError(f"{path} does not define a {name}() function.")
    return function  # type: ignore[no-any-return]


def _driven(module: ModuleType) -> ModuleType:
    """The module whose run() serves: a generated driver script (Azure ML's SDKs write them)
    names the real score script `driver_module`; its init() still runs the driver's."""
    driven = getattr(module, "driver_module", None)
    return driven if isinstance(driven, ModuleType) and hasattr(driven, "run") else module


def _contract_of(run_function: Callable[..., Any], path: Path) -> Contract:
    """How to call run(), with the rules of Azure ML's server."""
    parameters = list(inspect.signature(run_function).parameters.values())
    allowed = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    if any(parameter.kind not in allowed for parameter in parameters):
        raise EntryScriptError(
            f"run() in {path} cannot take positional-only arguments, *args or **kwargs."
        )
    data_parameters = [p.name for p in parameters if p.name != "request_headers"]
    if not data_parameters:
        raise EntryScriptError(f"run() in {path} must take an argument for the request data.")
    typed = typed_input_of(run_function)
    raw = _is_rawhttp(run_function)
    if raw and typed is not None:
        raise EntryScriptError(f"run() in {path} cannot be both @rawhttp and @input_schema.")
    kind = Kind.RAW if raw else Kind.TYPED if typed is not None else Kind.TEXT
    wants_headers = len(data_parameters) < len(parameters)
    names = tuple(p.name for p in parameters)
    return Contract(kind, data_parameters[0], wants_headers, names, typed, run_function)


def _is_rawhttp(run_function: Callable[..., Any]) -> bool:
    if getattr(run_function, RAWHTTP_MARK, False):
        return True
    return any(
        getattr(sys.modules.get(name), "_rawHttpRequested", False) for name in _REAL_RAWHTTP_MODULES
    )


def user_frames(error: EntryScriptError, folder: Path) -> list[str]:
    """Where in the user's own files (the script's folder) the cause of `error` was raised:
    `file:line in function: code`, innermost last; scorehost's and libraries' frames left out."""
    cause = error.__cause__
    if cause is None:
        return []
    frames = traceback.extract_tb(cause.__traceback__)
    mine = [frame for frame in frames if Path(frame.filename).resolve().is_relative_to(folder)]
    return [f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}" for frame in mine]
