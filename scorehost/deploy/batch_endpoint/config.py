"""Settings of a batch endpoint deployment (Azure ML v2): batch_endpoint.toml, then command-line
overrides, all validated before anything reaches Azure."""

import json
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from scorehost.deploy.shared.config import (
    TargetConfig,
    check_compute_name,
    check_ml_name,
    check_relative_file,
    check_vm_size,
)
from scorehost.deploy.shared.errors import ConfigError
from scorehost.deploy.shared.names import asset_name
from scorehost.deploy.shared.snapshot import Snapshot
from scorehost.user_image import requirements

# Microsoft's batch examples run on this image with their conda file (azureml-examples,
# cli/endpoints/batch/deploy-models/mnist-classifier/deployment-torch/deployment.yml)
BASE_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"
# What Azure ML's batch driver itself needs in the environment: "add the library azureml-core, as
# it's required for batch deployments to work" (Microsoft Learn, Deploy a custom model to a batch
# endpoint; every conda.yaml of azureml-examples' cli/endpoints/batch lists it). Not
# azureml-dataset-runtime[fuse], which some list too: every release caps numpy below 2, so with a
# model trained on numpy 2 pip cannot resolve the environment.
DRIVER_PACKAGE = "azureml-core"


def _as_trained(line: str, versions: dict[str, str], origin: str) -> str:
    """A requirement of a library the model records (`scorehost train` writes the versions it
    pickled with beside it) pinned to that version, so the model loads as it was saved; a
    version the requirement rules out is a mistake to name."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return line
    recorded = {canonicalize_name(name): v for name, v in versions.items()}
    version = recorded.get(canonicalize_name(requirement.name))
    if version is None or requirement.url is not None:
        return line
    if not requirement.specifier.contains(version, prereleases=True):
        raise ConfigError(
            f"{origin} asks for {line!r}, but the model was saved with {requirement.name} "
            f"{version}: widen the line, or retrain with the version it asks for"
        )
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}=={version}"


class BatchEndpointConfig(TargetConfig):
    """A batch endpoint, one deployment of a run(mini_batch) script and its model, and the
    compute cluster it runs on."""

    unique_names: ClassVar[dict[str, int]] = {"endpoint_name": 32}

    endpoint_name: str
    """Endpoint name: part of its invocation URI, unique in the region [default: the project
    folder's name and a suffix kept in .scorehost/]."""
    deployment_name: str = "scorehost"
    """The deployment this run creates and makes the endpoint's default."""
    code_dir: Path = Path()
    """Folder uploaded as the deployment's code (the script and what it imports)."""
    scoring_script: str = "score.py"
    """The run(mini_batch) script, relative to code_dir."""
    model_dir: Path = Path("model")
    """Folder registered as the model; init() finds it at $AZUREML_MODEL_DIR."""
    model_name: str | None = None
    """Name of the registered model [default: the model folder's name]."""
    compute_name: str = "cpu-cluster"
    """Compute cluster to run on; created if missing."""
    instance_type: str = "Standard_DS3_v2"
    """VM size of the cluster's nodes (when this command creates it)."""
    max_instances: int = Field(2, ge=1, le=100)
    """Most nodes the cluster scales to (it scales to 0 when idle)."""
    instance_count: int = Field(2, ge=1, le=100)
    """Nodes one batch job uses."""
    mini_batch_size: int = Field(10, ge=1)
    """Files per run() call."""
    max_concurrency_per_instance: int = Field(2, ge=1, le=64)
    """run() processes per node (Azure ML's process_count_per_node)."""
    error_threshold: int = Field(-1, ge=-1)
    """Failed items tolerated per job; -1 tolerates all."""
    max_retries: int = Field(3, ge=0, le=10)
    """Retries of a failing or timed-out mini-batch."""
    retry_timeout_s: int = Field(300, ge=1)
    """Seconds one run() call may take before it is retried."""
    output_action: Literal["append_row", "summary_only"] = "append_row"
    """append_row: run()'s rows go to output_file_name; summary_only: only the job's counts."""
    output_file_name: str = "predictions.csv"
    """The rows file in the job's output."""
    logging_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    image: str = BASE_IMAGE
    """Base image of the environment (Azure ML builds the pip packages on top)."""
    pip_packages: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """pip packages of the environment, comma-separated, used as they are [default: the project's
    requirements file in code_dir (requirements.txt, environment.yml, conda.yaml, ...), else the
    model's own libraries at the versions its metadata file records; then extra_packages, and
    azureml-core, which Azure ML's batch driver needs]."""
    extra_packages: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """pip packages the script needs beside those (comma-separated)."""
    timeout_s: int = Field(3600, gt=0)
    """How long to wait for each create or update (a new cluster or environment takes minutes)."""

    @field_validator("endpoint_name", "deployment_name")
    @classmethod
    def _names(cls, value: str) -> str:
        return check_ml_name(value)

    @field_validator("compute_name")
    @classmethod
    def _compute_name(cls, value: str) -> str:
        return check_compute_name(value)

    @field_validator("scoring_script")
    @classmethod
    def _scoring_script(cls, value: str) -> str:
        return check_relative_file(value)

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        return check_vm_size(value, "compute cluster")

    @field_validator("pip_packages", "extra_packages", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _fits(self) -> "BatchEndpointConfig":
        if self.instance_count > self.max_instances:
            raise ValueError(
                f"instance_count ({self.instance_count}) is above max_instances "
                f"({self.max_instances}): a job cannot use more nodes than the cluster has"
            )
        return self

    def check_files(self) -> None:
        """Before anything is sent: the folders exist, the script is in the code that would be
        uploaded, and the environment's packages can be listed (only when deploying)."""
        if not (self.code_dir / self.scoring_script).is_file():
            raise ConfigError(f"scoring_script: {self.code_dir / self.scoring_script} not found")
        code = Snapshot.of(self.code_dir)
        if Path(self.scoring_script) not in code.files:
            rules = code.ignore_file.name if code.ignore_file else "its name (hidden or a cache)"
            raise ConfigError(
                f"scoring_script: {self.scoring_script} would not be uploaded with {self.code_dir}"
                f": {rules} leaves it out"
            )
        if not self.model_dir.is_dir() or not Snapshot.of(self.model_dir).files:
            raise ConfigError(f"model_dir: {self.model_dir} is not a folder with the model in it")
        self.environment_packages()

    @property
    def registered_model_name(self) -> str:
        """model_name, or the model folder's own name."""
        return self.model_name or asset_name(self.model_dir)

    def environment_packages(self) -> list[str]:
        """pip_packages as they are; else what the project's requirements file lists, or the
        model's libraries pinned as its metadata records them, with extra_packages and the
        batch driver's package added."""
        if self.pip_packages:
            return list(self.pip_packages)
        found = requirements.find(self.code_dir, None)
        versions = self._trained_with()
        if found is not None:
            listed = requirements.read(found, replaced=frozenset()).packages
            packages = [_as_trained(line, versions, found.name) for line in listed]
        else:
            packages = [f"{name}=={v}" for name, v in versions.items() if name != "python"]
        if not packages:
            raise ConfigError(
                f"pip_packages: {self.code_dir} has no requirements file ("
                f"{', '.join(requirements.CANDIDATES)}) and the model no metadata of its "
                "libraries: list the environment's packages (--pip-packages a,b,c)"
            )
        named = {requirements.canonical_name(line) for line in packages}
        driver = [] if DRIVER_PACKAGE in named else [DRIVER_PACKAGE]
        return [*packages, *self.extra_packages, *driver]

    def python_version(self) -> str:
        version = self._trained_with().get("python", "3.11")
        return ".".join(version.split(".")[:2])

    def _trained_with(self) -> dict[str, str]:
        """The library versions `scorehost train` records beside the model, if it is there."""
        for metadata in sorted(self.model_dir.glob("*.json")):
            try:
                versions = json.loads(metadata.read_text()).get("versions")
            except (OSError, ValueError, AttributeError):
                continue
            if isinstance(versions, dict) and versions:
                return {str(name): str(version) for name, version in versions.items()}
        return {}
