"""An HTTP-level fake of Azure Resource Manager for the azure-core SDKs (azure-ai-ml,
azure-mgmt-monitor, azure-mgmt-containerinstance): long-running PUTs answered 201 with an
Azure-AsyncOperation to poll, as ARM does; failures injected by resource name.

Response shapes follow Microsoft's published examples in Azure/azure-rest-api-specs
(specification/...):
- container groups: containerinstance/resource-manager/Microsoft.ContainerInstance/stable/
  2023-05-01/examples/ContainerGroupCreateConfidential.json and ContainerGroupsList.json: `type`,
  `initContainers`, `instanceView.events`; secure environment values and registry passwords are
  never echoed back.
- online endpoints: machinelearningservices/.../stable/2024-04-01/examples/Workspace/
  OnlineEndpoint/createOrUpdate.json: 201 while `Creating`, `swaggerUri`, `systemData`, the
  identity with its `principalId` and `tenantId`.
- autoscale settings: monitor/resource-manager/Microsoft.Insights/stable/2022-10-01/examples/
  createOrUpdateAutoscaleSetting.json: synchronous, `type` Microsoft.Insights/autoscaleSettings,
  `properties.name`, `predictiveAutoscalePolicy`.
- batch endpoints and deployments: machinelearningservices/.../stable/2024-04-01/examples/
  Workspace/BatchEndpoint/createOrUpdate.json and Workspace/BatchDeployment/createOrUpdate.json:
  201 while `Creating`, the endpoint's `scoringUri` (where jobs are posted) and `defaults`.
- the workspace's default datastore: .../examples/Datastore/list.json (`isDefault`,
  `accountName`, `containerName`, `endpoint`, `credentials` without the secret) and
  Datastore/listSecrets.json (`secretsType`, `key`).
- blob uploads: Blob storage's Put Blob (201 Created with `ETag` and `Last-Modified`,
  learn.microsoft.com/rest/api/storageservices/put-blob); a batch job: the invocation answers
  the job resource (`name`, `properties.status`) that azure-ai-ml's BatchJob._from_rest_object
  reads.
- operations: ARM's Azure-AsyncOperation status (`InProgress` until `Succeeded` or `Failed`
  with an `error`), as azure-core's ARM polling reads it; `polls` makes them take several
  polls, `stalled` keeps them in progress, `failing` ends them Failed half way.

Azure's rules the fake enforces, each as Azure answers it (400 UserError), where scorehost once
sent what Azure refuses:
- a model version is a positive integer: "the version of a registered model must be a positive
  integer. This is unlike data assets or environments" (Azure/azureml-examples issue #2725);
  azure-ai-ml takes the next one from the container's `nextVersion` (_asset_utils.py,
  _get_next_version_from_container), which the container here answers (AssetContainer's
  `latestVersion`/`nextVersion` in the 2024-04-01 spec).
- a code version's `codeUri` is an https blob URL (CodeVersion/createOrUpdate.json:
  "codeUri": "https://blobStorage/folderName"); an azureml:// path fails (Azure/
  azure-sdk-for-python issue #42281).
- an AmlCompute cluster's name is 2-16 characters, a letter first, then letters, digits and
  dashes (azure-ai-ml's compute schema: ComputeSchema name validation, and the Azure ML docs'
  "compute names must be between 2 and 16 characters")."""

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import responses

ARM = "https://management.azure.com"
SUB, GROUP, WORKSPACE, REGION = (
    "00000000-0000-0000-0000-00000000000a",
    "rg-test",
    "ws-test",
    "westeurope",
)
WS_PATH = (
    f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/"
    f"Microsoft.MachineLearningServices/workspaces/{WORKSPACE}"
)
ACCOUNT, CONTAINER = "wsstorage0123", "azureml-blobstore-0123"
BLOB = f"https://{ACCOUNT}.blob.core.windows.net"
BATCH_URI = f"https://my-project-t3st01.{REGION}.inference.ml.azure.com/jobs"
STORAGE_KEY = "c3RvcmFnZS1rZXk="  # base64, as Azure's account keys are
KEYS = {"primaryKey": "primary-key-0123456789", "secondaryKey": "secondary-key-9876543210"}
_PRINCIPAL, _TENANT = "00000000-1111-2222-3333-444444444444", "00000000-1111-2222-3333-555555555555"
_SYSTEM_DATA = {
    "createdAt": "2026-11-22T12:34:56.999Z",
    "createdBy": "me@example.com",
    "createdByType": "User",
    "lastModifiedAt": "2026-11-22T12:34:56.999Z",
    "lastModifiedBy": "me@example.com",
    "lastModifiedByType": "User",
}
Reply = tuple[int, dict[str, str], str]


def _reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    text = "" if body is None else json.dumps(body)
    return status, {"Content-Type": "application/json", **(headers or {})}, text


@dataclass
class FakeArm:
    scoring_uri: str = "http://127.0.0.1:9/score"
    aci_host: str = "localhost"
    """The fqdn a container group answers with: loopback, where a real scorehost listens."""
    failing: set[str] = field(default_factory=set)
    """Names of resources whose creation ends Failed (after the polls, half way)."""
    stalled: set[str] = field(default_factory=set)
    """Names of resources whose creation never finishes."""
    polls: int = 1
    """How many polls an operation takes to end."""
    denied: bool = False
    """The credentials lack rights: every call is 403 AuthorizationFailed, as ARM answers."""
    logs: str = "scorehost: init() failed: FileNotFoundError: sklearn_mnist_model.pkl"
    received: list[tuple[str, str, Any]] = field(default_factory=list)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: dict[str, list[str]] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)

    blobs: dict[str, bytes] = field(default_factory=dict)
    """Blob path (container/name) -> the bytes uploaded."""
    jobs: list[Any] = field(default_factory=list)
    """The bodies of batch jobs started on an endpoint."""

    def install(self, mock: responses.RequestsMock) -> None:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            mock.add_callback(method, re.compile(re.escape(ARM) + ".*"), callback=self._route)
        mock.add_callback("PUT", re.compile(re.escape(BLOB) + "/.*"), callback=self._put_blob)
        mock.add_callback("POST", BATCH_URI, callback=self._start_job)
        datastore = f"{WS_PATH}/datastores/workspaceblobstore"
        self.resources[datastore.lower()] = {
            "id": datastore,
            "name": "workspaceblobstore",
            "type": "Microsoft.MachineLearningServices/workspaces/datastores",
            "properties": {
                "isDefault": True,
                "credentials": {
                    "credentialsType": "AccountKey",
                    "secrets": {"secretsType": "AccountKey"},
                },
                "datastoreType": "AzureBlob",
                "accountName": ACCOUNT,
                "containerName": CONTAINER,
                "endpoint": "core.windows.net",
                "protocol": "https",
            },
            "systemData": _SYSTEM_DATA,
        }

    def _put_blob(self, request: requests.PreparedRequest) -> Reply:
        body: Any = request.body  # bytes, or the file the SDK streams
        data: bytes = body if isinstance(body, bytes) else body.read()
        self.blobs[urlsplit(request.url or "").path.lstrip("/")] = data
        self.received.append(("PUT", request.url or "", f"<{len(data)} bytes>"))
        headers = {"ETag": '"0x8DC0000000000"', "Last-Modified": "Sun, 22 Nov 2026 12:34:56 GMT"}
        return 201, headers, ""

    def _start_job(self, request: requests.PreparedRequest) -> Reply:
        body = json.loads(str(request.body or "{}"))
        self.jobs.append(body)
        self.received.append(("POST", request.url or "", body))
        job = f"batchjob-{len(self.jobs)}"
        return _reply(
            200,
            {
                "id": f"{WS_PATH}/jobs/{job}",
                "name": job,
                "properties": {"status": "NotStarted", **body.get("properties", {})},
            },
        )

    def mutations(self) -> list[dict[str, Any]]:
        return [
            {"method": method, "url": url, "body": body}
            for method, url, body in self.received
            if method in ("PUT", "POST", "PATCH", "DELETE")
        ]

    def put_endpoint(self, name: str, traffic: dict[str, int]) -> None:
        """An endpoint that exists before the test (for blue/green)."""
        path = f"{WS_PATH}/onlineEndpoints/{name}"
        self.resources[path.lower()] = self._resource(
            path,
            {
                "location": REGION,
                "identity": {"type": "SystemAssigned"},
                "properties": {"authMode": "Key", "traffic": traffic, "mirrorTraffic": {}},
            },
            "Succeeded",
        )

    # -- routing -----------------------------------------------------------------------------
    def _route(self, request: requests.PreparedRequest) -> Reply:
        method, url = request.method or "", request.url or ""
        raw = request.body
        body = json.loads(raw) if isinstance(raw, str | bytes) and raw else None
        self.received.append((method, url, body))
        if self.denied:
            message = "The client 'me' does not have authorization to perform this action"
            return _reply(403, {"error": {"code": "AuthorizationFailed", "message": message}})
        path = urlsplit(url).path.rstrip("/")
        key = path.lower()
        if "/operations/op" in key:
            return self._operation(key)
        if method == "GET" and key == WS_PATH.lower():
            return _reply(
                200, {"id": WS_PATH, "name": WORKSPACE, "location": REGION, "properties": {}}
            )
        if method == "PUT":
            return self._put(path, body)
        if method == "POST":
            return self._post(key)
        if method == "DELETE":
            return self._delete(path, key)
        if key in self.resources:
            return _reply(200, self.resources[key])
        if key.endswith(("/containers/scorehost/logs",)):
            return _reply(200, {"content": self.logs})
        children = [r for p, r in self.resources.items() if p.rsplit("/", 1)[0] == key]
        if key.endswith("/datastores") and "isDefault=true" in url:
            children = [r for r in children if r["properties"].get("isDefault")]
        if children or key.endswith(
            ("/deployments", "/onlineendpoints", "/batchendpoints", "/containergroups", "/versions")
        ):
            return _reply(200, {"value": children})
        if "/providers/" in key and key.count("/") % 2 == 0:
            return _reply(
                404, {"error": {"code": "ResourceNotFound", "message": f"{path} not found"}}
            )
        self.unexpected.append(f"{method} {url}")
        return _reply(404, {"error": {"code": "NotFound", "message": f"no {method} {path}"}})

    def _resource(self, path: str, body: dict[str, Any], state: str) -> dict[str, Any]:
        resource = copy.deepcopy(body)
        resource.update(id=path, name=path.rsplit("/", 1)[-1])
        properties = resource.setdefault("properties", {})
        properties["provisioningState"] = state
        kind = path.lower().rsplit("/", 2)[-2]
        if kind == "onlineendpoints":
            resource["type"] = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
            properties["scoringUri"] = self.scoring_uri
            properties["swaggerUri"] = self.scoring_uri.replace("/score", "/swagger.json")
            # Azure adds its own keys here (the example's "properties": {"string": "string"})
            own = {"azureml.onlineendpointid": path, "AzureAsyncOperationUri": f"{ARM}{path}/op"}
            properties["properties"] = {**properties.get("properties", {}), **own}
            identity = resource.setdefault("identity", {"type": "SystemAssigned"})
            identity.update(principalId=_PRINCIPAL, tenantId=_TENANT)
            resource["systemData"] = _SYSTEM_DATA
        if kind == "batchendpoints":
            resource["type"] = "Microsoft.MachineLearningServices/workspaces/batchEndpoints"
            properties["scoringUri"] = BATCH_URI
            properties["swaggerUri"] = BATCH_URI.replace("/jobs", "/swagger.json")
            properties.setdefault("authMode", "AADToken")
            identity = resource.setdefault("identity", {"type": "SystemAssigned"})
            identity.update(principalId=_PRINCIPAL, tenantId=_TENANT)
            resource["systemData"] = _SYSTEM_DATA
        if kind == "deployments" and "/batchendpoints/" in path.lower():
            resource["type"] = (
                "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments"
            )
            resource["systemData"] = _SYSTEM_DATA
        elif kind == "deployments":
            resource["type"] = (
                "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
            )
            properties.setdefault("scaleSettings", {"scaleType": "Default"})
            properties.setdefault("endpointComputeType", "Managed")
            resource["systemData"] = _SYSTEM_DATA
        if kind == "containergroups":
            resource["type"] = "Microsoft.ContainerInstance/containerGroups"
            address = properties.get("ipAddress", {})
            properties["ipAddress"] = {**address, "ip": "127.0.0.1", "fqdn": self.aci_host}
            properties.setdefault("initContainers", [])
            for container in properties.get("containers", []):
                for variable in container.get("properties", {}).get("environmentVariables", []):
                    variable.pop("secureValue", None)  # Azure never returns secure values
            for credential in properties.get("imageRegistryCredentials", []):
                credential.pop("password", None)
            running = "Running" if state == "Succeeded" else "Pending"
            properties["instanceView"] = {"events": [], "state": running}
        if kind == "versions" and "/models/" in path.lower():
            properties.setdefault("flavors", {})  # none for a custom model
        if kind == "autoscalesettings":
            resource["type"] = "Microsoft.Insights/autoscaleSettings"
            properties["name"] = resource["name"]
            properties.setdefault(
                "predictiveAutoscalePolicy", {"scaleMode": "Disabled", "scaleLookAheadTime": None}
            )
        return resource

    def _refused(self, path: str, body: Any) -> str | None:
        """Why Azure refuses this PUT (its rules, cited in the module's docstring), or None."""
        key = path.lower()
        kind, name = key.rsplit("/", 2)[-2], path.rsplit("/", 1)[-1]
        version = kind == "versions"
        if version and "/models/" in key and (not name.isdigit() or int(name) < 1):
            return f"Model version '{name}' is not valid: versions are positive integers"
        uri = (body or {}).get("properties", {}).get("codeUri", "")
        if version and "/codes/" in key and not uri.startswith("https://"):
            return f"codeUri '{uri}' is not an https blob URL"
        if kind == "computes" and not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{1,15}", name):
            return f"Compute name '{name}' must be 2-16 letters, digits and dashes"
        return None

    def _put(self, path: str, body: Any) -> Reply:
        refused = self._refused(path, body)
        if refused is not None:
            return _reply(400, {"error": {"code": "UserError", "message": refused}})
        name = path.rsplit("/", 1)[-1]
        final = "Failed" if name in self.failing else "Succeeded"
        kind = path.lower().rsplit("/", 2)[-2]
        if kind in ("versions", "autoscalesettings"):  # synchronous in ARM
            self.resources[path.lower()] = self._resource(path, body, final)
            if "/models/" in path.lower():
                self._model_container(path.rsplit("/", 2)[0])
            return _reply(201, self.resources[path.lower()])
        self.resources[path.lower()] = self._resource(path, body, final)
        operation = f"{ARM}{path}/operations/op{len(self.operations)}?api-version=2023-01-01"
        steps = ["InProgress"] * (self.polls - 1) + [final]
        self.operations[urlsplit(operation).path.lower()] = (
            ["InProgress"] if name in self.stalled else steps
        )
        creating = self._resource(path, body, "Creating")
        return _reply(201, creating, {"Azure-AsyncOperation": operation, "Retry-After": "0"})

    def _delete(self, path: str, key: str) -> Reply:
        """Deleted at once (200), or, for a stalled name, accepted (202) with an operation that
        stays in progress (ContainerGroupsDelete.json lists 200, 202 and 204)."""
        name = path.rsplit("/", 1)[-1]
        if name not in self.stalled:
            self.resources.pop(key, None)
            return _reply(200)
        operation = f"{ARM}{path}/operations/op{len(self.operations)}?api-version=2023-01-01"
        self.operations[urlsplit(operation).path.lower()] = ["InProgress"]
        return _reply(202, None, {"Azure-AsyncOperation": operation, "Retry-After": "0"})

    def _model_container(self, path: str) -> None:
        """The model's container, with its latest and next version (what the SDK reads)."""
        versions = [
            int(p.rsplit("/", 1)[-1])
            for p in self.resources
            if p.rsplit("/", 1)[0] == f"{path.lower()}/versions"
        ]
        self.resources[path.lower()] = {
            "id": path,
            "name": path.rsplit("/", 1)[-1],
            "type": "Microsoft.MachineLearningServices/workspaces/models",
            "properties": {
                "latestVersion": str(max(versions)),
                "nextVersion": str(max(versions) + 1),
                "isArchived": False,
            },
            "systemData": _SYSTEM_DATA,
        }

    def _operation(self, key: str) -> Reply:
        steps = self.operations.get(key, ["Succeeded"])
        status = steps.pop(0) if len(steps) > 1 else steps[0]
        error = {"code": "DeploymentFailed", "message": "the container did not become ready"}
        body = {"status": status, **({"error": error} if status == "Failed" else {})}
        # ARM says when to ask again while an operation runs (azure-core waits that long)
        return _reply(200, body, {"Retry-After": "1"} if status == "InProgress" else None)

    def _post(self, key: str) -> Reply:
        if key.endswith("/listkeys"):
            return _reply(200, KEYS)
        if key.endswith("/getlogs"):
            return _reply(200, {"content": self.logs})
        if key.endswith("/datastores/workspaceblobstore/listsecrets"):
            return _reply(200, {"secretsType": "AccountKey", "key": STORAGE_KEY})
        self.unexpected.append(f"POST {key}")
        return _reply(404, {"error": {"code": "NotFound", "message": key}})
