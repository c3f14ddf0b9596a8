"""What Model.deploy sends for a v1 web service, built from our settings with the SDK's own
classes: the Environment (image by digest, no inference stack, scorehost's variables), the
inference and deployment configurations, and, for dry runs, the exact request body."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from azureml.core import Environment, Workspace
from azureml.core.container_registry import ContainerRegistry
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice, AksWebservice

from scorehost.deploy.azureml_v1.config import AciConfig, AksConfig, WebserviceConfig
from scorehost.deploy.shared.config import server_timeout_ms
from scorehost.deploy.shared.image import IMAGE_MODEL_DIR


def container_variables(config: WebserviceConfig) -> dict[str, str]:
    """What the container is told, under scorehost's own names: they win over the AZUREML_*
    values Azure ML sets in the image it derives, so neither order nor absence is ambiguous."""
    variables: dict[str, str] = {}
    if config.azure_inference_stack:  # Azure ML's server takes 5001: scorehost's stays down
        variables["SCOREHOST_RUNIT"] = "off"
    if config.model_file is None:
        variables["SCOREHOST_MODEL_DIR"] = IMAGE_MODEL_DIR  # the model baked into the image
    if isinstance(config, AksConfig):  # one worker per core; answer before Azure's timeout
        variables["SCOREHOST_WORKERS"] = str(config.workers)
        timeout_ms = server_timeout_ms(config.scoring_timeout_ms)
        variables["SCOREHOST_SCORING_TIMEOUT_MS"] = str(timeout_ms)
    return variables


def inference_config(
    config: WebserviceConfig,
    image_ref: str,
    registry_password: str | None = None,
    source_directory: Path | None = None,
) -> InferenceConfig:
    """`source_directory`: the folder azureml-core uploads whole (a staged snapshot of the entry
    script's folder in a real run; the folder itself when nothing is uploaded)."""
    registry = None
    if config.registry_username:
        registry = ContainerRegistry()
        registry.address = image_ref.split("/", 1)[0]
        registry.username = config.registry_username
        registry.password = registry_password
    environment = Environment.from_docker_image(
        name="scorehost", image=image_ref, container_registry=registry
    )
    environment.python.user_managed_dependencies = True  # the image has everything it needs
    if config.azure_inference_stack:
        environment.inferencing_stack_version = "latest"  # Azure ML adds its own server
    # The only way v1 passes variables to an inference container; the setter logs that it is
    # deprecated (for training runs), and the SDK's default holds EXAMPLE_ENV_VAR: replace both.
    with _quiet("azureml.core.environment"):
        environment.environment_variables = container_variables(config)
    return InferenceConfig(
        entry_script=config.entry_script.name,
        source_directory=str(source_directory or config.entry_script.parent),
        environment=environment,
    )


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def deployment_config(config: WebserviceConfig) -> Any:
    if isinstance(config, AksConfig):
        autoscale = config.autoscale_enabled
        return AksWebservice.deploy_configuration(
            autoscale_enabled=autoscale,
            autoscale_min_replicas=config.autoscale_min_replicas if autoscale else None,
            autoscale_max_replicas=config.autoscale_max_replicas if autoscale else None,
            autoscale_target_utilization=config.autoscale_target_utilization if autoscale else None,
            autoscale_refresh_seconds=config.autoscale_refresh_seconds if autoscale else None,
            num_replicas=config.num_replicas,
            cpu_cores=config.cpu_cores,
            memory_gb=config.memory_gb,
            auth_enabled=config.auth_enabled,
            enable_app_insights=config.enable_app_insights,
            replica_max_concurrent_requests=config.replica_max_concurrent_requests,
            scoring_timeout_ms=config.scoring_timeout_ms,
            namespace=config.namespace,
            # scorehost answers its probes within seconds of starting, also while init() runs
            initial_delay_seconds=10,
            period_seconds=10,
            timeout_seconds=3,
            failure_threshold=3,
            tags=config.tags,
            description=config.description,
        )
    assert isinstance(config, AciConfig)
    return AciWebservice.deploy_configuration(
        cpu_cores=config.cpu_cores,
        memory_gb=config.memory_gb,
        tags=config.tags,
        description=config.description,
        location=config.location,
        auth_enabled=config.auth_enabled,
        enable_app_insights=config.enable_app_insights,
        dns_name_label=config.dns_name_label,
    )


@contextmanager
def _no_uploads() -> Iterator[None]:
    # The entry script and source folder are uploaded during deploy; a dry run names them only.
    def placeholder(_: Workspace, dependency: str, *args: Any, **kwargs: Any) -> tuple[str, str]:
        name = Path(dependency).name
        return f"aml://artifact/<uploaded at deploy time: {name}>", name

    with mock.patch("azureml.core.model.upload_dependency", placeholder):
        yield


@dataclass(frozen=True)
class _NamedTarget:
    """Offline, the payload needs only the cluster's name (computeName)."""

    name: str


def request_body(
    workspace: Workspace,
    config: WebserviceConfig,
    image_ref: str,
    model_ids: list[str],
    registry_password: str | None,
) -> dict[str, Any]:
    """The JSON body Model.deploy POSTs to Azure ML for this configuration, built offline."""
    inference = inference_config(config, image_ref, registry_password)
    with _no_uploads():
        image_request = inference._build_environment_image_request(workspace, model_ids)
    options: dict[str, Any] = {"overwrite": config.overwrite}
    if isinstance(config, AksConfig):
        options["deployment_target"] = _NamedTarget(config.compute_target)
    body: dict[str, Any] = deployment_config(config)._build_create_payload(
        config.service_name, image_request, **options
    )
    return body
