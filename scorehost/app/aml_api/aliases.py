"""Azure ML's import paths for the score.py API, served by scorehost's own modules.

Scripts write `from azureml.contrib.services.aml_request import AMLRequest, rawhttp` (the SDK v1
name) or `from azureml_inference_server_http.api.aml_response import AMLResponse` (the server's
own); batch scripts `from azureml_user.parallel_run import EntryScript`; v1 scripts
`from azureml.core.model import Model` for `Model.get_model_path`. The finder answers those
names only after every other finder has passed: where Microsoft's package (or azureml-core's
`azureml` namespace) is installed, its modules are used as they are."""

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

_MODULES = {
    "aml_request": "scorehost.app.aml_api.aml_request",
    "aml_response": "scorehost.app.aml_api.aml_response",
}
_PACKAGES = ("azureml.contrib.services", "azureml_inference_server_http.api")
# Batch scripts' helper, from the package Azure ML's batch driver puts beside them
_BATCH = {"azureml_user.parallel_run": "scorehost.app.aml_api.parallel_run"}
# azureml-core's Model.get_model_path, for v1 scripts in an image without azureml-core
_CORE = {"azureml.core.model": "scorehost.app.aml_api.model"}


def _aliases() -> dict[str, str | None]:
    """Each alias name: the module it stands for, or None for a package holding aliases."""
    modules = {
        **{
            f"{package}.{short}": target
            for package in _PACKAGES
            for short, target in _MODULES.items()
        },
        **_BATCH,
        **_CORE,
    }
    names: dict[str, str | None] = {}
    for name in modules:
        parts = name.split(".")
        for end in range(1, len(parts)):
            names[".".join(parts[:end])] = None
    return {**names, **modules}


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str | None) -> None:
        self._target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default: a fresh module

    def exec_module(self, module: ModuleType) -> None:
        if self._target is None:
            module.__path__ = []  # a package: its aliased children come from this finder too
            return
        target = importlib.import_module(self._target)
        module.__dict__.update(
            (name, value) for name, value in vars(target).items() if not name.startswith("__")
        )


class AzureMLAliasFinder(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self._aliases = _aliases()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self._aliases:
            return None
        target_name = self._aliases[fullname]
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(target_name), is_package=target_name is None
        )


def install() -> None:
    """Add the finder last on sys.meta_path (once)."""
    if not any(isinstance(finder, AzureMLAliasFinder) for finder in sys.meta_path):
        sys.meta_path.append(AzureMLAliasFinder())
