"""The one seam to Azure ML v2 (azure-ai-ml) and Azure Monitor autoscale (azure-mgmt-monitor):
every call the online endpoint commands make is in here."""

import contextlib
import datetime
from typing import Any

from azure.ai.ml.entities import (
    Environment,
    ManagedOnlineDeployment,
    ManagedOnlineEndpoint,
    OnlineRequestSettings,
    ProbeSettings,
)
from azure.core.credentials import TokenCredential
from azure.core.exceptions import ResourceNotFoundError
from azure.core.pipeline.transport import HttpTransport
from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.monitor.models import (
    AutoscaleProfile,
    AutoscaleSettingResource,
    MetricTrigger,
    ScaleAction,
    ScaleCapacity,
    ScaleRule,
)

from scorehost.app.settings import DEFAULT_PORT
from scorehost.deploy.online_endpoint.config import OnlineEndpointConfig
from scorehost.deploy.shared.image import IMAGE_MODEL_DIR
from scorehost.deploy.shared.masking import mask
from scorehost.deploy.shared.waits import wait_for
from scorehost.deploy.shared.workspace import WorkspaceIds, ml_client

ROUTES = {
    "liveness_route": {"path": "/health/live", "port": DEFAULT_PORT},
    "readiness_route": {"path": "/health/ready", "port": DEFAULT_PORT},
    "scoring_route": {"path": "/score", "port": DEFAULT_PORT},
}


class OnlineEndpoints:
    """One workspace's online endpoints, deployments and their autoscale settings."""

    def __init__(
        self,
        ids: WorkspaceIds,
        credential: TokenCredential,
        transport: HttpTransport[Any, Any] | None = None,
    ) -> None:
        options: dict[str, Any] = {"transport": transport} if transport else {}
        self.ids = ids
        self._ml = ml_client(ids, credential, transport)
        self._monitor = MonitorManagementClient(credential, ids.subscription_id, **options)

    # -- building blocks: pure, so tests and the dry run see exactly what is sent ----------------
    @staticmethod
    def environment(config: OnlineEndpointConfig, image_ref: str) -> Environment:
        digest = image_ref.rsplit("@sha256:", 1)[-1]
        return Environment(
            name=config.push_repository.replace("/", "-"),
            version=digest[:16],  # one environment version per image digest
            image=image_ref,
            inference_config=ROUTES,
            description=f"scorehost image {image_ref}",
        )

    @staticmethod
    def endpoint(config: OnlineEndpointConfig, traffic: dict[str, int] | None = None) -> Any:
        return ManagedOnlineEndpoint(
            name=config.endpoint_name,
            auth_mode="key",
            description=config.description,
            tags=config.tags,
            traffic=traffic or {},
        )

    @staticmethod
    def deployment(config: OnlineEndpointConfig, environment_id: str) -> ManagedOnlineDeployment:
        return ManagedOnlineDeployment(
            name=config.deployment_name,
            endpoint_name=config.endpoint_name,
            environment=environment_id,
            instance_type=config.instance_type,
            instance_count=config.instance_count,
            environment_variables={
                # scorehost's own name: it wins over any AZUREML_MODEL_DIR Azure sets
                "SCOREHOST_MODEL_DIR": IMAGE_MODEL_DIR,
                **config.container_environment,
            },
            request_settings=OnlineRequestSettings(
                request_timeout_ms=config.request_timeout_ms,
                max_concurrent_requests_per_instance=config.max_concurrent_requests_per_instance,
            ),
            # The server listens within seconds; readiness waits for init() in every worker.
            liveness_probe=ProbeSettings(
                initial_delay=10, period=10, timeout=3, failure_threshold=3, success_threshold=1
            ),
            readiness_probe=ProbeSettings(
                initial_delay=5, period=5, timeout=3, failure_threshold=3, success_threshold=1
            ),
            app_insights_enabled=config.app_insights_enabled,
            tags=config.tags,
            description=config.description,
        )

    @staticmethod
    def autoscale_setting(
        config: OnlineEndpointConfig, location: str, deployment_id: str, endpoint_id: str
    ) -> AutoscaleSettingResource:
        minute, window, cooldown = (datetime.timedelta(minutes=m) for m in (1, 5, 5))

        def rule(metric: str, resource: str, operator: str, threshold: float, up: bool) -> Any:
            return ScaleRule(
                metric_trigger=MetricTrigger(
                    metric_name=metric,
                    metric_resource_uri=resource,
                    time_grain=minute,
                    statistic="Average",
                    time_window=window,
                    time_aggregation="Average",
                    operator=operator,
                    threshold=threshold,
                ),
                scale_action=ScaleAction(
                    direction="Increase" if up else "Decrease",
                    type="ChangeCount",
                    value="1" if not up else "2",
                    cooldown=cooldown,
                ),
            )

        cpu, latency = "CpuUtilizationPercentage", "RequestLatency"
        if config.autoscale_metric == "cpu":
            scale_out = rule(cpu, deployment_id, "GreaterThan", config.scale_out_cpu_percent, True)
        else:
            scale_out = rule(latency, endpoint_id, "GreaterThan", config.scale_out_latency_ms, True)
        scale_in = rule(cpu, deployment_id, "LessThan", config.scale_in_cpu_percent, False)
        return AutoscaleSettingResource(
            location=location,
            target_resource_uri=deployment_id,
            enabled=True,
            profiles=[
                AutoscaleProfile(
                    name="scorehost",
                    capacity=ScaleCapacity(
                        minimum=str(config.autoscale_min),
                        maximum=str(config.autoscale_max),
                        default=str(config.instance_count),
                    ),
                    rules=[scale_out, scale_in],
                )
            ],
        )

    @staticmethod
    def autoscale_name(config: OnlineEndpointConfig) -> str:
        return f"{config.endpoint_name}-{config.deployment_name}-autoscale"

    # -- calls -----------------------------------------------------------------------------------
    def register_environment(self, config: OnlineEndpointConfig, image_ref: str) -> str:
        environment = self._ml.environments.create_or_update(self.environment(config, image_ref))
        return str(environment.id)

    def get_endpoint(self, name: str) -> Any | None:
        try:
            return self._ml.online_endpoints.get(name)
        except ResourceNotFoundError:
            return None

    def create_endpoint(self, config: OnlineEndpointConfig, timeout_s: float) -> Any:
        poller = self._ml.online_endpoints.begin_create_or_update(self.endpoint(config))
        return wait_for(poller, f"endpoint {config.endpoint_name}", timeout_s)

    def create_deployment(
        self, config: OnlineEndpointConfig, environment_id: str, timeout_s: float
    ) -> Any:
        poller = self._ml.online_deployments.begin_create_or_update(
            self.deployment(config, environment_id), skip_script_validation=True
        )
        return wait_for(
            poller,
            f"deployment {config.deployment_name}",
            timeout_s,
            logs=lambda: self.logs(config.endpoint_name, config.deployment_name, 50),
        )

    def set_traffic(self, name: str, traffic: dict[str, int], timeout_s: float) -> Any:
        endpoint = self._ml.online_endpoints.get(name)
        endpoint.traffic = dict(traffic)
        poller = self._ml.online_endpoints.begin_create_or_update(endpoint)
        return wait_for(poller, f"traffic of {name}", timeout_s)

    def set_autoscale(self, config: OnlineEndpointConfig, deployment: Any, endpoint: Any) -> None:
        endpoint_id = (endpoint.properties or {}).get("azureml.onlineendpointid") or endpoint.id
        setting = self.autoscale_setting(config, endpoint.location, deployment.id, endpoint_id)
        self._monitor.autoscale_settings.create_or_update(
            self.ids.resource_group, self.autoscale_name(config), setting
        )

    def readiness(self, endpoint: str, deployment: str | None) -> str | None:
        """None when Azure reports the deployment (or the endpoint) provisioned: its readiness
        probe passed; else what it reports."""
        if deployment is None:
            found = self._ml.online_endpoints.get(endpoint)
        else:
            found = self._ml.online_deployments.get(deployment, endpoint)
        state = str(getattr(found.provisioning_state, "value", found.provisioning_state))
        what = f"deployment {deployment}" if deployment else f"endpoint {endpoint}"
        return None if state.lower() == "succeeded" else f"{what} is {state}"

    def keys(self, name: str) -> tuple[str, str]:
        keys = self._ml.online_endpoints.get_keys(name)
        return str(keys.primary_key), str(keys.secondary_key)

    def logs(self, endpoint: str, deployment: str, lines: int) -> str:
        try:
            return str(self._ml.online_deployments.get_logs(deployment, endpoint, lines))
        except Exception as exc:  # noqa: BLE001 - logs are a courtesy next to the real error
            return f"(no container logs: {type(exc).__name__}: {exc})"

    def delete_deployment(self, config: OnlineEndpointConfig, name: str, timeout_s: float) -> None:
        self._delete_autoscale(f"{config.endpoint_name}-{name}-autoscale")
        poller = self._ml.online_deployments.begin_delete(name, config.endpoint_name)
        wait_for(poller, f"deleting deployment {name}", timeout_s)

    def delete_endpoint(self, config: OnlineEndpointConfig, timeout_s: float) -> None:
        for deployment in self._ml.online_deployments.list(config.endpoint_name):
            self._delete_autoscale(f"{config.endpoint_name}-{deployment.name}-autoscale")
        poller = self._ml.online_endpoints.begin_delete(config.endpoint_name)
        wait_for(poller, f"deleting endpoint {config.endpoint_name}", timeout_s)

    def describe(self, name: str) -> dict[str, Any]:
        endpoint = self._ml.online_endpoints.get(name)
        deployments = list(self._ml.online_deployments.list(name))
        primary, secondary = self.keys(name)
        return {
            "endpoint": endpoint.name,
            "state": str(endpoint.provisioning_state),
            "scoring_uri": endpoint.scoring_uri,
            "openapi_uri": endpoint.openapi_uri,
            "traffic": dict(endpoint.traffic or {}),
            "deployments": [
                {
                    "name": d.name,
                    "state": str(d.provisioning_state),
                    "instance_type": d.instance_type,
                    "instance_count": d.instance_count,
                    "image": getattr(d.environment, "image", None) or str(d.environment),
                }
                for d in deployments
            ],
            "keys": [mask(primary), mask(secondary)],
        }

    def _delete_autoscale(self, name: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            self._monitor.autoscale_settings.delete(self.ids.resource_group, name)
