"""The one seam to Azure Container Instances without Azure ML (azure-mgmt-containerinstance):
every call the container_instance commands make is in here."""

from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.pipeline.transport import HttpTransport
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ContainerGroupIdentity,
    ContainerHttpGet,
    ContainerPort,
    ContainerProbe,
    EnvironmentVariable,
    ImageRegistryCredential,
    IpAddress,
    Port,
    ResourceRequests,
    ResourceRequirements,
    UserAssignedIdentities,
)

from scorehost.app import commands
from scorehost.deploy.container_instance.config import ContainerInstanceConfig
from scorehost.deploy.shared.errors import RolloutFailed
from scorehost.deploy.shared.waits import wait_for

CONTAINER = "scorehost"


# Read from the deploying shell (never a file or a flag), sent as a secure value.
APP_INSIGHTS_VARIABLE = "APPLICATIONINSIGHTS_CONNECTION_STRING"


def container_group(
    config: ContainerInstanceConfig,
    image_ref: str,
    keys: tuple[str, str] | None,
    registry_password: str | None,
    app_insights: str | None = None,
) -> ContainerGroup:
    """The whole group: one container, our probes, our keys and Application Insights'
    connection string as secure values."""
    variables = [
        EnvironmentVariable(name=k, value=v) for k, v in config.container_environment.items()
    ]
    if keys is not None:
        variables += [
            EnvironmentVariable(name="SCOREHOST_PRIMARY_KEY", secure_value=keys[0]),
            EnvironmentVariable(name="SCOREHOST_SECONDARY_KEY", secure_value=keys[1]),
        ]
    if app_insights is not None:
        variables.append(EnvironmentVariable(name=APP_INSIGHTS_VARIABLE, secure_value=app_insights))

    def probe(path: str, delay: int, period: int) -> ContainerProbe:
        return ContainerProbe(
            http_get=ContainerHttpGet(path=path, port=config.port, scheme="http"),
            initial_delay_seconds=delay,
            period_seconds=period,
            timeout_seconds=3,
            failure_threshold=3,
            success_threshold=1,
        )

    container = Container(
        name=CONTAINER,
        image=image_ref,
        resources=ResourceRequirements(
            requests=ResourceRequests(cpu=config.cpu_cores, memory_in_gb=config.memory_gb)
        ),
        ports=[ContainerPort(port=config.port, protocol="TCP")],
        environment_variables=variables,
        liveness_probe=probe("/health/live", 10, 10),
        readiness_probe=probe("/health/ready", 5, 5),
    )
    identity, credentials = None, []
    registry = image_ref.split("/", 1)[0]
    if config.registry_identity:
        identity = ContainerGroupIdentity(
            type="UserAssigned",
            user_assigned_identities={config.registry_identity: UserAssignedIdentities()},
        )
        credentials = [ImageRegistryCredential(server=registry, identity=config.registry_identity)]
    elif config.registry_username:
        credentials = [
            ImageRegistryCredential(
                server=registry, username=config.registry_username, password=registry_password
            )
        ]
    return ContainerGroup(
        location=config.location,
        tags=config.tags,
        containers=[container],
        os_type="Linux",
        restart_policy="Always",
        identity=identity,
        image_registry_credentials=credentials or None,
        ip_address=IpAddress(
            type="Public",
            ports=[Port(port=config.port, protocol="TCP")],
            dns_name_label=config.dns_name_label,
            auto_generated_domain_name_label_scope=config.dns_name_label_scope,
        ),
    )


class ContainerGroups:
    def __init__(
        self,
        subscription_id: str,
        credential: TokenCredential,
        transport: HttpTransport[Any, Any] | None = None,
    ) -> None:
        options: dict[str, Any] = {"transport": transport} if transport else {}
        self._client = ContainerInstanceManagementClient(credential, subscription_id, **options)

    def check_access(self, config: ContainerInstanceConfig) -> None:
        """A read of the resource group: proves the credentials, subscription and group work
        before anything is pushed or any key is written."""
        try:
            next(
                iter(self._client.container_groups.list_by_resource_group(config.resource_group)),
                None,
            )
        except Exception as exc:  # Azure's reason, whatever the SDK raised
            raise RolloutFailed(
                f"cannot use resource group {config.resource_group}: {commands.describe(exc)}"
            ) from exc

    def create(self, config: ContainerInstanceConfig, group: ContainerGroup) -> ContainerGroup:
        poller = self._client.container_groups.begin_create_or_update(
            config.resource_group, config.name, group
        )
        result: ContainerGroup = wait_for(
            poller,
            f"container group {config.name}",
            config.timeout_s,
            logs=lambda: self.logs(config, 50),
        )
        return result

    def get(self, config: ContainerInstanceConfig) -> ContainerGroup:
        group: ContainerGroup = self._client.container_groups.get(
            config.resource_group, config.name
        )
        return group

    def logs(self, config: ContainerInstanceConfig, lines: int) -> str:
        try:
            log = self._client.containers.list_logs(
                config.resource_group, config.name, CONTAINER, tail=lines
            )
            return str(log.content or "")
        except Exception as exc:  # noqa: BLE001 - logs are a courtesy next to the real error
            return f"(no container logs: {type(exc).__name__}: {exc})"

    def delete(self, config: ContainerInstanceConfig) -> None:
        """Deleted, or RolloutFailed if Azure has not finished within timeout_s."""
        poller = self._client.container_groups.begin_delete(config.resource_group, config.name)
        wait_for(poller, f"deleting container group {config.name}", config.timeout_s)


def scoring_uri(group: ContainerGroup, port: int) -> str:
    address = group.ip_address
    host = (address.fqdn or address.ip) if address else None
    if not host:
        raise RolloutFailed("the container group has no public address yet")
    return f"http://{host}:{port}/score"


def describe(group: ContainerGroup, port: int) -> dict[str, Any]:
    view = group.instance_view
    return {
        "name": group.name,
        "state": group.provisioning_state,
        "running": view.state if view else None,
        "scoring_uri": scoring_uri(group, port) if group.ip_address else None,
        "image": group.containers[0].image if group.containers else None,
    }
