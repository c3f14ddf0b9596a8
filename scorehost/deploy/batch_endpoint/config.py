"""Settings of a batch endpoint deployment (Azure ML v2): batch_endpoint.toml, then command-line
overrides, all validated before anything reaches Azure."""

import json
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from scorehost.deploy.shared.config import TargetConfig, check_ml_name, check_vm_size
from scorehost.deploy.shared.errors import ConfigError
from scorehost.deploy.shared.names import asset_name

# Microsoft's batch examples run on this image with their conda file (azureml-examples,
# cli/endpoints/batch/deploy-models/mnist-classifier/deployment-torch/deployment.yml)
BASE_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"
# ...whose pip list always has Azure ML's batch driver's own packages (its conda.yaml)
DRIVER_PACKAGES = ("azureml-core", "azureml-dataset-runtime[fuse]")
SCRIPT_PACKAGES = ("pandas", "pillow")  # what score_batch.py imports besides the model's own


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
    """pip packages of the environment, comma-separated [default: the model's own libraries at
    the versions in its metadata file, pandas, pillow, and Azure ML's batch driver's packages]."""
    timeout_s: int = Field(3600, gt=0)
    """How long to wait for each create or update (a new cluster or environment takes minutes)."""

    @field_validator("endpoint_name", "deployment_name", "compute_name")
    @classmethod
    def _names(cls, value: str) -> str:
        return check_ml_name(value)

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        return check_vm_size(value)

    @field_validator("pip_packages", mode="before")
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
        """The folders exist and the script is in its code (only when deploying)."""
        if not (self.code_dir / self.scoring_script).is_file():
            raise ConfigError(f"scoring_script: {self.code_dir / self.scoring_script} not found")
        if not self.model_dir.is_dir() or not any(self.model_dir.iterdir()):
            raise ConfigError(f"model_dir: {self.model_dir} is not a folder with the model in it")

    @property
    def registered_model_name(self) -> str:
        """model_name, or the model folder's own name."""
        return self.model_name or asset_name(self.model_dir)

    def environment_packages(self) -> list[str]:
        """pip_packages, or the model's libraries pinned as its metadata records them."""
        if self.pip_packages:
            return list(self.pip_packages)
        versions = self._trained_with()
        pinned = [f"{name}=={version}" for name, version in versions.items() if name != "python"]
        model = pinned or ["scikit-learn", "joblib", "numpy"]
        return [*model, *SCRIPT_PACKAGES, *DRIVER_PACKAGES]

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
