"""A score.py's own requirements, read from the files Azure ML users already have: a pip
requirements.txt, or a conda environment file (Azure ML's environment.yml) whose packages pip
installs into the image's venv."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scorehost.app.commands import MissingExtra, UsageError
from scorehost.app.server_lock import canonical

# Looked for in the script's folder, in this order, when --requirements is not given: pip's
# name, then the names Azure ML projects give their conda files (azureml-examples'
# environment/conda.yaml and env.yml, MachineLearningNotebooks' myenv.yml, the batch docs'
# driver_env.yml).
CANDIDATES = (
    "requirements.txt",
    "environment.yml",
    "environment.yaml",
    "conda.yml",
    "conda.yaml",
    "env.yml",
    "env.yaml",
    "environment/conda.yaml",
    "environment/conda.yml",
    "environment/requirements.txt",
    "myenv.yml",
    "driver_env.yml",
)
# azureml-defaults is left out, but it is also what brought azureml-core: a script importing
# azureml.core beyond Model (which scorehost answers) needs it back.
AZUREML_CORE = "azureml-core"
_CORE_IMPORT = re.compile(r"^\s*(?:from|import)\s+(azureml\.core(?:\.[\w.]+)?)", re.MULTILINE)
_ANSWERED_BY_SCOREHOST = frozenset({"azureml.core.model"})
# Azure ML's own server and its bundle: scorehost replaces them, and their pins (Flask,
# OpenTelemetry) would only fight the image's packages.
REPLACED = frozenset({"azureml-defaults", "azureml-inference-server-http"})
# What a conda file lists that is not a package for pip to install.
_CONDA_ONLY = frozenset({"python", "pip"})
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
# -r/-c includes, editable installs and local paths: nothing the build context carries.
_LOCAL = re.compile(r"^(-r|-c|--requirement|--constraint|-e|--editable|\.|/|~|file:)")
_CONDA_SPEC = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")
# Where pip looks for packages: another index can serve any package under any name.
_INDEX = re.compile(
    r"^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-index)\b"
)


@dataclass
class Requirements:
    """Lines for `pip install -r`, and what was left out and why (printed, never silent)."""

    source: Path | None
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    replaced: frozenset[str] = REPLACED  # packages left out: what the image brings instead
    allow_index_options: bool = True
    left_out: set[str] = field(default_factory=set)  # of `replaced`, those the file named

    @property
    def packages(self) -> list[str]:
        """The requirement lines, without the ones left out."""
        return [line for line in self.lines if not line.startswith("#")]

    def text(self) -> str:
        origin = self.source.name if self.source else "no requirements file"
        header = f"# written by scorehost build from {origin}\n"
        return header + "".join(f"{line}\n" for line in self.lines)


def find(folder: Path, given: Path | None) -> Path | None:
    if given is not None:
        if not given.is_file():
            raise UsageError(f"requirements file {given} not found")
        return given
    found = next((folder / name for name in CANDIDATES if (folder / name).is_file()), None)
    if found is None:
        _refuse_an_unnamed_environment(folder)
    return found


def _refuse_an_unnamed_environment(folder: Path) -> None:
    """A conda file under another name than those looked for is not built without: say so."""
    for path in sorted([*folder.glob("*.y*ml"), *folder.glob("*/*.y*ml")]):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if re.search(r"^dependencies:\s*$", text, re.MULTILINE):
            raise UsageError(
                f"{path.relative_to(folder)} looks like a conda environment, but it is not one "
                f"of the names looked for ({', '.join(CANDIDATES)}): give --requirements "
                f"{path.relative_to(folder)}"
            )


def core_imports(folder: Path) -> set[str]:
    """The azureml.core modules the folder's Python files import (skipping virtualenvs)."""
    modules: set[str] = set()
    for path in folder.rglob("*.py"):
        if any(part.startswith(".") or part in ("venv", "__pycache__") for part in path.parts):
            continue
        try:
            modules.update(_CORE_IMPORT.findall(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return modules


def bring_back_azureml_core(requirements: Requirements, imports: set[str]) -> None:
    """azureml-defaults (left out) brought azureml-core: keep that part when the scripts need
    more of it than scorehost answers."""
    dropped = "azureml-defaults" in requirements.left_out
    listed = AZUREML_CORE in {canonical_name(line) for line in requirements.packages}
    needed = sorted(imports - _ANSWERED_BY_SCOREHOST)
    if not dropped or listed or not imports:
        return
    if not needed:
        requirements.notes.append(
            "azureml.core.model's Model.get_model_path is answered by scorehost: azureml-core "
            "(which azureml-defaults brought) is not installed"
        )
        return
    requirements.lines.append(AZUREML_CORE)
    requirements.notes.append(
        f"{AZUREML_CORE} kept from azureml-defaults: the scripts import {', '.join(needed)}"
    )


def canonical_name(line: str) -> str:
    """The package a requirement line names, as pip compares names (`Scikit_Learn>=1` ->
    `scikit-learn`)."""
    name = _NAME.match(line)
    return canonical(name.group(1)) if name else line


def _keep(requirements: Requirements, line: str, origin: str) -> None:
    if _INDEX.match(line):
        if not requirements.allow_index_options:
            raise UsageError(
                f"{origin}: {line!r} tells pip to take packages from another index, which could "
                "serve any package, the server's too; give --allow-index-options if you trust it"
            )
        requirements.notes.append(f"{origin}: {line.split()[0]} kept (--allow-index-options)")
    name = _NAME.match(line)
    if name and canonical(name.group(1)) in requirements.replaced:
        requirements.left_out.add(canonical(name.group(1)))
        requirements.lines.append(f"# {line}  (left out: the server scorehost replaces)")
        requirements.notes.append(f"{origin}: {name.group(1)} left out (scorehost replaces it)")
    else:
        requirements.lines.append(line)


def _from_pip_file(path: Path, replaced: frozenset[str], allow_index: bool) -> Requirements:
    requirements = Requirements(path, replaced=replaced, allow_index_options=allow_index)
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if _LOCAL.match(line):
            raise UsageError(
                f"{path.name}: {line!r} refers to a file on this machine, which the image build "
                "cannot see: list the packages themselves (or a wheel URL) in one file"
            )
        _keep(requirements, line, path.name)
    return requirements


def _conda_to_pip(spec: str) -> str:
    """`numpy=1.26` (conda: any 1.26.x) -> `numpy==1.26.*`; `pkg=1.0=build` drops the build."""
    match = _CONDA_SPEC.match(spec.strip())
    if match is None:
        raise UsageError(f"cannot read the conda package {spec!r}")
    name, version = match.groups()
    version = version.replace(" ", "")
    if not version:
        return name
    if version.startswith("=") and not version.startswith("=="):
        version = version[1:].split("=")[0]
        return f"{name}=={version}" if version.endswith("*") else f"{name}=={version}.*"
    return f"{name}{version}"


def _from_conda_file(path: Path, replaced: frozenset[str], allow_index: bool) -> Requirements:
    try:
        import yaml
    except ModuleNotFoundError:
        raise MissingExtra("PyYAML", "build", f"reading {path.name}") from None
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UsageError(f"{path} is not valid YAML: {exc}") from None
    dependencies = document.get("dependencies") if isinstance(document, dict) else None
    if not isinstance(dependencies, list):
        raise UsageError(f"{path} has no 'dependencies:' list (a conda environment file has one)")
    requirements = Requirements(path, replaced=replaced, allow_index_options=allow_index)
    for item in dependencies:
        if isinstance(item, dict) and set(item) == {"pip"} and isinstance(item["pip"], list):
            for line in item["pip"]:
                _keep(requirements, str(line).strip(), f"{path.name} pip:")
        elif isinstance(item, str):
            _add_conda_package(requirements, item, path.name)
        else:
            raise UsageError(f"{path}: cannot read the dependency {item!r}")
    return requirements


def _add_conda_package(requirements: Requirements, spec: str, origin: str) -> None:
    line = _conda_to_pip(spec.split("::")[-1])  # conda-forge::numpy names a channel
    name = _NAME.match(line)
    if name and name.group(1).lower() in _CONDA_ONLY:
        requirements.notes.append(f"{origin}: {spec} left out (the image has its own Python)")
        return
    _keep(requirements, line, origin)


def read(
    path: Path | None, replaced: frozenset[str] = REPLACED, *, allow_index_options: bool = True
) -> Requirements:
    """The file's requirements, but `replaced` (default: Azure ML's server, which the scorehost
    image replaces; nothing, for an environment on Azure ML's own base image). Index options
    (`--extra-index-url`, ...) are exit 2 unless allowed."""
    if path is None:
        return Requirements(None, notes=["no requirements file: the image's packages only"])
    if path.suffix in (".yml", ".yaml"):
        return _from_conda_file(path, replaced, allow_index_options)
    return _from_pip_file(path, replaced, allow_index_options)
