"""Dry runs for the azure-core SDKs (azure-ai-ml, azure-mgmt-*): the real SDK code runs, and its
HTTP requests are answered from memory instead of the network and recorded as the plan.

Every Azure SDK built on azure-core accepts a `transport`. Ours carries a requests Session whose
adapter never opens a socket: it answers like Azure Resource Manager would for a resource group
holding nothing yet (PUT stores and echoes the resource as Succeeded, GET returns what was PUT or
404, DELETE forgets) and keeps every request in order. What the dry run prints is therefore
exactly what the SDK would send: same URLs, same api-versions, same JSON bodies.
"""

import copy
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.pipeline.transport import RequestsTransport
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3 import HTTPResponse

_COLLECTIONS = {
    "deployments",
    "onlineendpoints",
    "batchendpoints",
    "autoscalesettings",
    "containergroups",
}
_ARM_HOST = "management.azure.com"
_WORKSPACE = re.compile(r"/providers/microsoft\.machinelearningservices/workspaces/[^/]+$")


@dataclass(frozen=True)
class PlannedRequest:
    method: str
    url: str
    body: Any

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "body": self.body}


class PlaceholderCredential:
    """A token for the dry run: never sent anywhere, never fetched from Azure AD."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("dry-run", 2**31)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo("dry-run", 2**31)


@dataclass
class DryRunAzure(BaseAdapter):
    """An empty resource group in `location`, answered from memory; `sent` is the plan."""

    location: str = "<workspace region>"
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[PlannedRequest] = field(default_factory=list)
    _store: dict[str, dict[str, Any]] = field(default_factory=dict)
    _assumed: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def transport(self) -> RequestsTransport:
        session = requests.Session()
        session.mount("https://", self)
        session.mount("http://", self)
        return RequestsTransport(session=session, session_owner=False)

    def add(self, resource_id: str, properties: dict[str, Any]) -> None:
        """A resource that exists before the plan (listed under its parent, unlike `assume`)."""
        name = resource_id.rsplit("/", 1)[-1]
        self._store[resource_id.lower()] = {
            "id": resource_id,
            "name": name,
            "properties": properties,
        }

    def assume(self, path_suffix: str, properties: dict[str, Any]) -> None:
        """Plan as if the resource ending in `path_suffix` existed with these properties."""
        self._assumed[path_suffix.lower()] = properties

    def mutations(self) -> list[dict[str, Any]]:
        """The requests that would change something in Azure: the plan to print."""
        return [r.as_dict() for r in self.sent if r.method in ("PUT", "POST", "PATCH", "DELETE")]

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        method, url = request.method or "GET", request.url or ""
        if urlsplit(url).hostname == _ARM_HOST:
            body = _json_body(request.body)
            self.sent.append(PlannedRequest(method, url, body))
            resource_id = urlsplit(url).path.rstrip("/")
            status, answer = self._answer(method, resource_id, body)
        else:  # a data plane: blob storage (uploads), an endpoint's invocation URI
            body = _data_body(method, request.body)
            self.sent.append(PlannedRequest(method, url, body))
            status, answer = self._data_plane(method, url)
        content = json.dumps(answer).encode() if answer is not None else b""
        headers = {"Content-Type": "application/json", "Content-Length": str(len(content))}
        response = requests.Response()
        response.status_code = status
        response.raw = HTTPResponse(
            body=io.BytesIO(content), headers=headers, status=status, preload_content=False
        )
        response.headers = CaseInsensitiveDict(headers)
        response.url, response.request, response.reason = url, request, "dry run"
        response.encoding = "utf-8"
        return response

    def _answer(self, method: str, resource_id: str, body: Any) -> tuple[int, Any]:
        path = resource_id.lower()  # ARM paths are case-insensitive; ids keep their case
        name = resource_id.rsplit("/", 1)[-1]
        for suffix in [suffix for suffix in self._assumed if path.endswith(suffix)]:
            self._store[path] = {
                "id": resource_id,
                "name": name,
                "location": self.location,
                "properties": self._assumed.pop(suffix),
            }
        if method == "PUT" or method == "PATCH":
            sent = copy.deepcopy(body) if isinstance(body, dict) else {}
            resource = {**self._store.get(path, {}), **sent}
            resource.setdefault("location", self.location)
            resource["id"], resource["name"] = resource_id, name
            properties = resource.setdefault("properties", {})
            if isinstance(properties, dict):
                properties["provisioningState"] = "Succeeded"
                properties.update(self.extra.get(_kind(path), {}))
            self._store[path] = resource
            return 200, resource
        if method == "DELETE":
            self._store.pop(path, None)
            return 200, None
        if method == "POST":
            return 200, self.extra.get(path.rsplit("/", 1)[-1], {})
        if path in self._store:
            return 200, self._store[path]
        children = [r for key, r in self._store.items() if key.rsplit("/", 1)[0] == path]
        if children or path.rsplit("/", 1)[-1] in _COLLECTIONS:
            return 200, {"value": children}
        if _WORKSPACE.search(path):
            return 200, {
                "id": resource_id,
                "name": name,
                "location": self.location,
                "properties": {},
            }
        return 404, {"error": {"code": "ResourceNotFound", "message": f"{path} (dry run)"}}

    def _data_plane(self, method: str, url: str) -> tuple[int, Any]:
        if method == "PUT":  # Put Blob: created
            return 201, None
        if method == "POST":
            return 200, self.extra.get(urlsplit(url).path.rsplit("/", 1)[-1], {})
        return 404, {"error": {"code": "ResourceNotFound", "message": f"{url} (dry run)"}}

    def close(self) -> None:
        pass


def _data_body(method: str, body: Any) -> Any:
    """An upload (PUT) by its size only; anything else (an invocation) as its JSON."""
    if method == "PUT":
        size = len(body) if isinstance(body, bytes | bytearray | str) else None
        return f"<{size} bytes>" if size is not None else "<file contents>"
    return _json_body(body)


def _kind(path: str) -> str:
    """The resource type of an ARM path: its second-to-last segment (e.g. onlineendpoints)."""
    parts = path.split("/")
    return parts[-2] if len(parts) >= 2 else ""


def _json_body(body: Any) -> Any:
    if body is None:
        return None
    text = body.decode() if isinstance(body, bytes) else str(body)
    try:
        return json.loads(text)
    except ValueError:
        return text
