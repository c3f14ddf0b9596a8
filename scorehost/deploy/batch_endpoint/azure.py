"""The one seam to Azure ML v2 (azure-ai-ml, and azure-storage-blob for the uploads): every call
the batch endpoint commands make is in here."""

from pathlib import Path
from typing import Any

from azure.ai.ml import Input
from azure.ai.ml.entities import (
    AmlCompute,
    BatchEndpoint,
    BatchRetrySettings,
    CodeConfiguration,
    Environment,
    Model,
    ModelBatchDeployment,
    ModelBatchDeploymentSettings,
)
from azure.ai.ml.entities._assets import Code
from azure.core.credentials import TokenCredential
from azure.core.exceptions import ResourceNotFoundError
from azure.core.pipeline.transport import HttpTransport

from scorehost.deploy.batch_endpoint import uploads
from scorehost.deploy.batch_endpoint.config import BatchEndpointConfig
from scorehost.deploy.shared.snapshot import Snapshot
from scorehost.deploy.shared.waits import wait_for
from scorehost.deploy.shared.workspace import WorkspaceIds, ml_client

CODE_NAME = "scorehost-batch-code"
DIGEST_TAG = "scorehost.digest"  # a model version's folder, by its contents


class BatchEndpoints:
    """One workspace's batch endpoints, their deployments, the assets and the cluster."""

    def __init__(
        self,
        ids: WorkspaceIds,
        credential: TokenCredential,
        transport: HttpTransport[Any, Any] | None = None,
    ) -> None:
        self.ids = ids
        self._credential = credential
        self._transport = transport
        self._default_datastore: Any = None
        self._ml = ml_client(ids, credential, transport)

    # -- building blocks: pure, so tests and the dry run see exactly what is sent ----------------
    @staticmethod
    def environment(config: BatchEndpointConfig) -> Environment:
        packages = config.environment_packages()
        conda = {
            "name": "scorehost-batch",
            "channels": ["conda-forge"],
            "dependencies": [f"python={config.python_version()}", "pip", {"pip": packages}],
        }
        version = uploads.sha_of_text(repr((config.image, conda)))[:16]
        return Environment(
            name=f"{config.endpoint_name}-env",
            version=version,  # one version per image and package list
            image=config.image,
            conda_file=conda,
            description="scorehost batch: the model's libraries and Azure ML's batch driver",
        )

    @staticmethod
    def compute(config: BatchEndpointConfig) -> AmlCompute:
        return AmlCompute(
            name=config.compute_name,
            size=config.instance_type,
            min_instances=0,
            max_instances=config.max_instances,
            idle_time_before_scale_down=120,
            tags=config.tags,
        )

    @staticmethod
    def endpoint(config: BatchEndpointConfig, default: str | None = None) -> BatchEndpoint:
        return BatchEndpoint(
            name=config.endpoint_name,
            description=config.description,
            tags=config.tags,
            defaults={"deployment_name": default} if default else None,
        )

    @staticmethod
    def deployment(
        config: BatchEndpointConfig, model_id: str, code_id: str, environment_id: str
    ) -> ModelBatchDeployment:
        return ModelBatchDeployment(
            name=config.deployment_name,
            endpoint_name=config.endpoint_name,
            model=model_id,
            code_configuration=CodeConfiguration(
                code=code_id, scoring_script=config.scoring_script
            ),
            environment=environment_id,
            compute=config.compute_name,
            settings=ModelBatchDeploymentSettings(
                mini_batch_size=config.mini_batch_size,
                instance_count=config.instance_count,
                max_concurrency_per_instance=config.max_concurrency_per_instance,
                output_action=config.output_action,
                output_file_name=config.output_file_name,
                retry_settings=BatchRetrySettings(
                    max_retries=config.max_retries, timeout=config.retry_timeout_s
                ),
                error_threshold=config.error_threshold,
                logging_level=config.logging_level,
            ),
            description=config.description,
            tags=config.tags,
        )

    # -- calls -----------------------------------------------------------------------------------
    def ensure_compute(self, config: BatchEndpointConfig) -> str:
        """The cluster's id: the existing one, or one created now."""
        try:
            return str(self._ml.compute.get(config.compute_name).id)
        except ResourceNotFoundError:
            poller = self._ml.compute.begin_create_or_update(self.compute(config))
            return str(wait_for(poller, f"compute {config.compute_name}", config.timeout_s).id)

    def register_environment(self, config: BatchEndpointConfig) -> str:
        return str(self._ml.environments.create_or_update(self.environment(config)).id)

    def register_code(self, folder: Path) -> str:
        """The code asset for `folder`: found by its digest (the version), else uploaded and
        registered by its https URI."""
        # azure-ai-ml has no public code operations; this is the one its own deployments use
        operations = self._ml._code
        snapshot = Snapshot.of(folder)
        version = uploads.short_digest(snapshot)
        try:
            return str(operations.get(CODE_NAME, version).id)
        except ResourceNotFoundError:
            stored = self._upload(snapshot, "code", version)
            code = Code(name=CODE_NAME, version=version, path=stored.blob_uri)
            return str(operations.create_or_update(code).id)

    def register_model(self, config: BatchEndpointConfig) -> str:
        """The model version holding the folder's files: the one tagged with its digest, else a
        new one. Azure numbers model versions itself (positive integers only: azureml-examples
        issue #2725), so a folder's identity lives in a tag."""
        name = config.registered_model_name
        snapshot = Snapshot.of(config.model_dir)
        short = uploads.short_digest(snapshot)
        for model in self._model_versions(name):
            if (model.tags or {}).get(DIGEST_TAG) == short:
                return str(model.id)
        stored = self._upload(snapshot, "model", short)
        model = Model(
            name=name,  # no version: the SDK asks the container for its next one
            type="custom_model",
            path=stored.datastore_uri,
            description=f"scorehost batch: {config.model_dir.resolve().name}",
            tags={**config.tags, DIGEST_TAG: short},
        )
        return str(self._ml.models.create_or_update(model).id)

    def _model_versions(self, name: str) -> list[Any]:
        try:
            return list(self._ml.models.list(name=name))
        except ResourceNotFoundError:
            return []

    def _upload(self, snapshot: Snapshot, kind: str, short: str) -> uploads.Stored:
        datastore = self._datastore()
        return uploads.store(snapshot, kind, short, datastore, self._credential, self._transport)

    def _datastore(self) -> Any:
        """The workspace's default datastore with its secrets, fetched once for all uploads."""
        if self._default_datastore is None:
            self._default_datastore = self._ml.datastores.get_default(include_secrets=True)
        return self._default_datastore

    def ensure_endpoint(self, config: BatchEndpointConfig) -> Any:
        """The endpoint: created when missing; one that exists is left as it is, so jobs keep
        going to its default deployment while the new one is made."""
        try:
            return self._ml.batch_endpoints.get(config.endpoint_name)
        except ResourceNotFoundError:
            return self._put_endpoint(config, default=None)

    def set_default(self, config: BatchEndpointConfig) -> Any:
        """Make this run's deployment the endpoint's default (the last step of a deploy)."""
        return self._put_endpoint(config, default=config.deployment_name)

    def _put_endpoint(self, config: BatchEndpointConfig, default: str | None) -> Any:
        poller = self._ml.batch_endpoints.begin_create_or_update(self.endpoint(config, default))
        return wait_for(poller, f"batch endpoint {config.endpoint_name}", config.timeout_s)

    def create_deployment(
        self, config: BatchEndpointConfig, model_id: str, code_id: str, environment_id: str
    ) -> Any:
        deployment = self.deployment(config, model_id, code_id, environment_id)
        poller = self._ml.batch_deployments.begin_create_or_update(deployment)
        return wait_for(poller, f"batch deployment {config.deployment_name}", config.timeout_s)

    def invoke(self, config: BatchEndpointConfig, data: str, input_type: str) -> Any:
        """Start a job on the endpoint's default deployment over `data` (a data asset such as
        azureml:digits@latest, a datastore path, or a public URL)."""
        return self._ml.batch_endpoints.invoke(
            endpoint_name=config.endpoint_name, input=Input(type=input_type, path=data)
        )

    def describe(self, name: str) -> dict[str, Any]:
        endpoint = self._ml.batch_endpoints.get(name)
        deployments = list(self._ml.batch_deployments.list(name))
        return {
            "endpoint": endpoint.name,
            "state": str(endpoint.provisioning_state),
            "invocation_uri": endpoint.scoring_uri,
            # as read back, defaults is the REST object (BatchEndpoint._from_rest_object)
            "default_deployment": getattr(endpoint.defaults, "deployment_name", None),
            "deployments": [
                {"name": d.name, "state": str(d.provisioning_state), "compute": d.compute}
                for d in deployments
            ],
        }

    def delete_endpoint(self, config: BatchEndpointConfig) -> None:
        poller = self._ml.batch_endpoints.begin_delete(config.endpoint_name)
        wait_for(poller, f"deleting batch endpoint {config.endpoint_name}", config.timeout_s)

    def delete_deployment(self, config: BatchEndpointConfig, name: str) -> None:
        poller = self._ml.batch_deployments.begin_delete(name, config.endpoint_name)
        wait_for(poller, f"deleting batch deployment {name}", config.timeout_s)
