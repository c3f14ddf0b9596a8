"""An HTTP-level fake of the Azure endpoints azureml-core calls: ARM, discovery, artifacts,
blob storage and model management. The real SDK runs against it; nothing else is faked.

Where answers come from:
- Workspaces listKeys follows Microsoft's published example (Azure/azure-rest-api-specs,
  specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/
  stable/.../examples/Workspace/listKeys.json): `containerRegistryCredentials.location` is the
  registry's region and null there; azureml-core reads only `username` and `passwords[0].value`
  (azureml/_model_management/_util.py, get_workspace_registry_credentials).
- The v1 model-management API has no published spec: services, operations and logs follow what
  the SDK parses (azureml/core/webservice/webservice.py: _get_operation_state reads `state`,
  `error`, `operationDetails`; update_deployment_state reads the service; get_logs `content`).
  Operations take `polls` polls (`Running` until the end), end `final_state`, or never end."""

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import responses

SUB, GROUP, WORKSPACE = "00000000-0000-0000-0000-000000000001", "rg-test", "ws-test"
REGION = "eastus"
ARM = "https://management.azure.com"
API = f"https://{REGION}.api.azureml.ms"
GROUP_ID = f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers"
WS_ID = f"{GROUP_ID}/Microsoft.MachineLearningServices/workspaces/{WORKSPACE}"
MMS = f"{API}/modelmanagement/v1.0{WS_ID}"
ARTIFACTS = f"{API}/artifact/v2.0{WS_ID}/artifacts/batch/metadata"
BLOB = "https://wsstorage.blob.core.windows.net"
REGISTRY = "wsregistry.azurecr.io"
REGISTRY_PASSWORD = "s3cret-registry-password-!"
SCORING_URI = "http://my-project-t3st01.eastus.azurecontainer.io/score"  # conftest.NAME
KEYS = {"primaryKey": "primary-key-0123456789", "secondaryKey": "secondary-key-9876543210"}

Reply = tuple[int, dict[str, str], str]


def jwt_token() -> str:
    """A token of JWT shape: the SDK decodes its claims (exp, tid) but checks no signature."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"exp": int(time.time()) + 3600, "tid": "tenant", "oid": "o", "upn": "me@example.com"}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body)


def _body(request: requests.PreparedRequest) -> bytes:
    body = request.body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes):
        return body
    return bytes(body.read()) if hasattr(body, "read") else b"".join(map(bytes, body))  # type: ignore[arg-type]


def _path(request: requests.PreparedRequest) -> str:
    return (request.url or "").split("?")[0]


@dataclass
class FakeAzure:
    """Every endpoint one deploy touches; `final_state` decides how the deployment ends."""

    final_state: str = "Succeeded"
    polls: int = 1
    """Polls of the deployment operation before it ends (`Running` until then)."""
    operation_polls: int = 0
    scoring_uri: str = SCORING_URI
    deploy_payloads: list[dict[str, Any]] = field(default_factory=list)
    package_payloads: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    clusters: set[str] = field(default_factory=lambda: {"aks-cluster"})
    LOGS = "scorehost: init() failed: FileNotFoundError: sklearn_mnist_model.pkl"
    PACKAGE_DOCKERFILE = "FROM <the image>\n# (the Dockerfile Azure ML would build)\n"

    def install(self, mock: responses.RequestsMock) -> None:
        for method in ("GET", "POST", "PUT", "HEAD", "DELETE", "PATCH"):
            mock.add_callback(method, re.compile(".*"), callback=self._route)

    def _route(self, request: requests.PreparedRequest) -> Reply:
        method, path = request.method or "", _path(request)
        for (verb, pattern), handler in self._routes().items():
            if verb == method and re.fullmatch(pattern, path):
                return handler(request)
        self.unexpected.append(f"{method} {request.url}")
        return _json(404, {"error": {"code": "NotFound", "message": f"no {method} {path}"}})

    def _routes(self) -> dict[tuple[str, str], Callable[[requests.PreparedRequest], Reply]]:
        service = re.escape(f"{MMS}/services/") + r"[\w-]+"
        return {
            ("GET", re.escape(f"{ARM}/subscriptions")): self._subscriptions,
            ("GET", re.escape(f"{ARM}{WS_ID}")): self._workspace,
            ("GET", re.escape(f"{API}/rp/workspaces{WS_ID}/computes/") + r"[\w-]+"): self._compute,
            ("POST", re.escape(f"{ARM}{WS_ID}/listKeys")): self._list_keys,
            ("GET", re.escape(f"{API}/discovery")): self._discovery,
            ("POST", re.escape(ARTIFACTS) + r"/\w+/\w+"): self._artifacts,
            ("PUT", re.escape(BLOB) + "/.+"): self._blob_put,
            ("HEAD", re.escape(BLOB) + "/.+"): self._blob_head,
            ("POST", re.escape(f"{MMS}/services/validate") + ".*"): lambda _: _json(200, {}),
            ("POST", re.escape(f"{MMS}/services")): self._create_service,
            ("GET", service): self._service,
            ("GET", re.escape(f"{MMS}/operations/") + r"[\w-]+"): self._operation,
            ("GET", service + "/logs"): lambda _: _json(200, {"content": self._logs()}),
            ("POST", service + "/listkeys"): lambda _: _json(200, KEYS),
            ("DELETE", service): self._delete,
            ("POST", re.escape(f"{MMS}/packages")): self._create_package,
            (
                "PUT",
                re.escape(f"{API}/environment/v1.0{WS_ID}/environments/") + r"[\w-]+",
            ): lambda r: (200, {"Content-Type": "application/json"}, _body(r).decode()),
            ("GET", re.escape(f"{BLOB}/packages/manifest.json")): self._package_manifest,
        }

    def _subscriptions(self, _: requests.PreparedRequest) -> Reply:
        subscription = {"id": f"/subscriptions/{SUB}", "subscriptionId": SUB, "state": "Enabled"}
        return _json(200, {"value": [{**subscription, "displayName": "test"}]})

    def _workspace(self, _: requests.PreparedRequest) -> Reply:
        properties = {
            "workspaceId": "11111111-1111-1111-1111-111111111111",
            "discoveryUrl": f"{API}/discovery",
            "containerRegistry": f"{GROUP_ID}/Microsoft.ContainerRegistry/registries/wsregistry",
            "storageAccount": f"{GROUP_ID}/Microsoft.Storage/storageAccounts/wsstorage",
            "keyVault": f"{GROUP_ID}/Microsoft.KeyVault/vaults/wskv",
            "applicationInsights": f"{GROUP_ID}/microsoft.insights/components/wsai",
            "provisioningState": "Succeeded",
        }
        return _json(
            200,
            {
                "id": WS_ID,
                "name": WORKSPACE,
                "location": REGION,
                "type": "Microsoft.MachineLearningServices/workspaces",
                "identity": {"type": "SystemAssigned"},
                "sku": {"name": "Basic", "tier": "Basic"},
                "properties": properties,
            },
        )

    def _compute(self, request: requests.PreparedRequest) -> Reply:
        name = _path(request).rsplit("/", 1)[-1]
        if name not in self.clusters:
            return _json(404, {"error": {"code": "NotFound", "message": f"no compute {name}"}})
        cluster = {
            "agentCount": 3,
            "agentVmSize": "Standard_D3_v2",
            "clusterPurpose": "FastProd",
            "clusterFqdn": "aks-cluster.hcp.eastus.azmk8s.io",
            "systemServices": [],
            "sslConfiguration": {"status": "Disabled"},
            "loadBalancerType": "PublicIp",
            "loadBalancerSubnet": None,
        }
        return _json(
            200,
            {
                "id": f"{WS_ID}/computes/{name}",
                "name": name,
                "location": REGION,
                "tags": {},
                "properties": {
                    "computeType": "AKS",
                    "provisioningState": "Succeeded",
                    "description": None,
                    "provisioningErrors": None,
                    "createdOn": "2026-11-01T00:00:00Z",
                    "modifiedOn": "2026-11-01T00:00:00Z",
                    "resourceId": f"{GROUP_ID}/Microsoft.ContainerService/managedClusters/{name}",
                    "computeLocation": REGION,
                    "isAttachedCompute": True,
                    "properties": cluster,
                },
            },
        )

    def _list_keys(self, _: requests.PreparedRequest) -> Reply:
        passwords = [
            {"name": "password", "value": REGISTRY_PASSWORD},
            {"name": "password2", "value": "second-registry-password"},
        ]
        return _json(
            200,
            {
                "userStorageKey": "storage-key",
                "userStorageResourceId": f"{GROUP_ID}/Microsoft.Storage/storageAccounts/wsstorage",
                "appInsightsInstrumentationKey": "00000000-0000-0000-0000-0000000000ai",
                "containerRegistryCredentials": {
                    "location": None,
                    "username": REGISTRY.split(".")[0],
                    "passwords": passwords,
                },
                "notebookAccessKeys": {"primaryAccessKey": "p", "secondaryAccessKey": "s"},
            },
        )

    def _discovery(self, _: requests.PreparedRequest) -> Reply:
        services = (
            "api",
            "catalog",
            "experimentation",
            "history",
            "hyperdrive",
            "labeling",
            "modelmanagement",
            "pipelines",
            "studiometadata",
            "designer",
            "execution",
        )
        return _json(200, {**dict.fromkeys(services, API), "studio": "https://ml.azure.com"})

    def _artifacts(self, request: requests.PreparedRequest) -> Reply:
        origin, container = _path(request).rsplit("/", 2)[-2:]
        paths = [item["path"] for item in json.loads(_body(request))["paths"]]
        where = {"origin": origin, "container": container}
        return _json(
            200,
            {
                "artifacts": {
                    path: {"artifactId": f"{origin}/{container}/{path}", "path": path, **where}
                    for path in paths
                },
                "artifactContentInformation": {
                    path: {
                        "contentUri": f"{BLOB}/a/{container}/{path}?sv=sas",
                        "path": path,
                        **where,
                    }
                    for path in paths
                },
                "errors": {},
            },
        )

    def _blob_put(self, request: requests.PreparedRequest) -> Reply:
        self.uploads[_path(request)] = _body(request)
        return 201, {}, ""

    def _blob_head(self, request: requests.PreparedRequest) -> Reply:
        # The SDK checks the upload by comparing this Content-Length with what it sent.
        return 200, {"Content-Length": str(len(self.uploads.get(_path(request), b"")))}, ""

    def _logs(self) -> str:
        """The container's log: scorehost's start line, as the image would resolve the
        variables the deployment sent (relative to Azure ML's /var/azureml-app), or a failure."""
        if self.final_state != "Succeeded" or not self.deploy_payloads:
            return self.LOGS
        request = self.deploy_payloads[-1]["environmentImageRequest"]["environment"]
        variables = request["environmentVariables"]
        script = f"/var/azureml-app/{variables['AZUREML_ENTRY_SCRIPT']}"
        model_dir = variables.get("SCOREHOST_MODEL_DIR", "/var/azureml-app/azureml-models/m/1")
        return (
            f"2026-11-22 00:00:00,000 INFO [7] scorehost.supervisor [-] Serving {script} "
            f"(model dir {model_dir}) on http://0.0.0.0:5001 with 1 worker(s)\n"
        )

    def _create_service(self, request: requests.PreparedRequest) -> Reply:
        self.deploy_payloads.append(json.loads(_body(request)))
        return _json(202, {}, {"Operation-Location": f"{MMS}/operations/op-1"})

    def _service(self, _: requests.PreparedRequest) -> Reply:
        if not self.deploy_payloads or self.deleted:
            return _json(404, {"error": {"code": "NotFound", "message": "no such service"}})
        payload = self.deploy_payloads[-1]
        failed = self.final_state != "Succeeded"
        aks = (
            {
                key: payload.get(key)
                for key in (
                    "computeName",
                    "numReplicas",
                    "autoScaler",
                    "maxConcurrentRequestsPerContainer",
                    "scoringTimeoutMs",
                    "livenessProbeRequirements",
                    "namespace",
                    "maxQueueWaitMs",
                    "aadAuthEnabled",
                )
            }
            if payload.get("computeType") == "AKS"
            else {}
        )
        if aks:
            aks["dataCollection"] = {"eventHubEnabled": False, "storageEnabled": False}
        return _json(
            200,
            {
                **aks,
                "updatedTime": "2026-11-22T00:00:00Z",
                "name": payload["name"],
                "computeType": payload.get("computeType", "ACI"),
                "location": REGION,
                "state": "Failed" if failed else "Healthy",
                "error": {"code": "CrashLoop", "message": "container exited"} if failed else None,
                "scoringUri": self.scoring_uri,
                "swaggerUri": self.scoring_uri.replace("/score", "/swagger.json"),
                "authEnabled": payload.get("authEnabled", False),
                "createdTime": "2026-11-22T00:00:00Z",
                "kvTags": payload.get("kvTags"),
                "description": payload.get("description"),
                "containerResourceRequirements": payload.get("containerResourceRequirements"),
                "properties": payload.get("properties", {}),
                "appInsightsEnabled": False,
                "cname": None,
                "publicIp": "20.0.0.1",
                "sslCertificate": None,
                "sslEnabled": False,
                "sslKey": None,
            },
        )

    def _create_package(self, request: requests.PreparedRequest) -> Reply:
        self.package_payloads.append(json.loads(_body(request)))
        return _json(202, {}, {"Operation-Location": f"{MMS}/operations/package-1"})

    def _package_manifest(self, _: requests.PreparedRequest) -> Reply:
        # The build context Azure ML answers with (azureml/core/model.py, ModelPackage.save,
        # reads `context` entries); its Dockerfile is Azure's to write, so a fixed text here.
        content = base64.b64encode(self.PACKAGE_DOCKERFILE.encode()).decode()
        entry = {
            "entryType": "inline",
            "encoding": "base64",
            "path": "Dockerfile",
            "content": content,
        }
        return _json(200, {"context": [entry]})

    def _operation(self, request: requests.PreparedRequest) -> Reply:
        if _path(request).endswith("package-1"):
            return _json(
                200,
                {
                    "operationType": "PackageDockerBuildContext",
                    "state": "Succeeded",
                    "resourceLocation": f"{BLOB}/packages/manifest.json",
                    "operationLog": f"{BLOB}/packages/log.txt",
                },
            )
        self.operation_polls += 1
        state = self.final_state if self.operation_polls >= self.polls else "Running"
        failed = state not in ("Succeeded", "Running")
        error = {"code": "DeploymentFailed", "message": "the container did not become healthy"}
        return _json(
            200,
            {
                "state": state,
                "error": error if failed else None,
                "operationDetails": {"subOperationType": "DeployService"},
            },
        )

    def _delete(self, request: requests.PreparedRequest) -> Reply:
        self.deleted.append(_path(request).rsplit("/", 1)[-1])
        return _json(200, {})
