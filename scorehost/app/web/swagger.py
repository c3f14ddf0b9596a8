"""GET /swagger.json?version=2|3|3.1: the service's document in the form Azure ML's server gives
(Swagger 2.0 unless asked otherwise): health, score and swagger routes, with a typed run()'s
input and output schemas as ServiceInput and ServiceOutput. The app root's own swagger.json,
swagger2.json, swagger3.json or swagger3.1.json is served instead where there is one."""

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scorehost.app.errors import NotFound, RunFailed
from scorehost.app.settings import Settings

log = logging.getLogger("scorehost")

_VERSIONS = {"2": "2", "2.0": "2", "3": "3", "3.0": "3", "3.1": "3.1"}
_USER_FILES = {"2": ("swagger.json", "swagger2.json"), "3": ("swagger3.json",)}
_UNTYPED: dict[str, Any] = {"type": "object", "example": {}}
_ERROR = {"type": "object", "properties": {"message": {"type": "string"}}}
_HEALTH = "Simple health check endpoint to ensure the service is up at any given point."
_SCORE = "Run web service's model and get the prediction output"
_INPUT = "The input payload for executing the real-time machine learning service."
_FAILED = "The service failed to execute due to an error."
_OK = "The service processed the input correctly and provided a result prediction, if applicable."


class UserDocuments:
    """The app root's own swagger files, each read and checked once per version of the file
    (its identity: device, inode, time, size), not at every request: a large one is served as
    the bytes it holds, and a broken one is a clear 500 naming it, logged once."""

    def __init__(self) -> None:
        self._cache: dict[Path, tuple[tuple[int, ...], bytes | str]] = {}

    def find(self, app_root: Path, version: str) -> bytes | None:
        for name in _USER_FILES.get(version, (f"swagger{version}.json",)):
            path = app_root / name
            if path.is_file():
                return self._read(path)
        return None

    def _read(self, path: Path) -> bytes:
        stat = path.stat()
        identity = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(path)
        if cached is None or cached[0] != identity:
            cached = identity, _checked(path)
            self._cache[path] = cached
            if isinstance(cached[1], str):
                log.error("%s", cached[1])
        if isinstance(cached[1], str):
            raise RunFailed(cached[1])
        return cached[1]


def _checked(path: Path) -> bytes | str:
    """The file's bytes if they are a JSON object, else what is wrong with it."""
    try:
        data = path.read_bytes()
        document = json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        return (
            f"The app root's {path.name} cannot be served: it is not a readable JSON file ({exc})"
        )
    if not isinstance(document, dict):
        return f"The app root's {path.name} cannot be served: it holds no JSON object"
    return data


def _v2(settings: Settings, prefix: str, schemas: tuple[Any, Any]) -> dict[str, Any]:
    def responses(ok: str, schema: dict[str, Any]) -> dict[str, Any]:
        failed = {"description": _FAILED, "schema": {"$ref": "#/definitions/ErrorResponse"}}
        return {"200": {"description": ok, "schema": schema}, "default": failed}

    bearer: list[dict[str, list[str]]] = [{"Bearer": []}]
    return {
        "swagger": "2.0",
        "info": _info(settings),
        "schemes": ["https"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {
            "Bearer": {"type": "apiKey", "name": "Authorization", "in": "header"}
        },
        "paths": {
            f"{prefix}/": {
                "get": {
                    "operationId": "ServiceHealthCheck",
                    "description": _HEALTH,
                    "responses": responses("Healthy", {"type": "string"}),
                }
            },
            f"{prefix}/score": {
                "post": {
                    "operationId": "RunMLService",
                    "description": _SCORE,
                    "security": bearer,
                    "parameters": [
                        {
                            "name": "serviceInputPayload",
                            "in": "body",
                            "description": _INPUT,
                            "schema": {"$ref": "#/definitions/ServiceInput"},
                        }
                    ],
                    "responses": responses(_OK, {"$ref": "#/definitions/ServiceOutput"}),
                }
            },
            f"{prefix}/swagger.json": {
                "get": {
                    "operationId": "GetSwaggerSpec",
                    "description": "Get the Swagger specification.",
                    "parameters": [{"name": "version", "in": "query", "type": "string"}],
                    "responses": responses("The Swagger specification.", {"type": "string"}),
                }
            },
        },
        "definitions": {
            "ServiceInput": schemas[0],
            "ServiceOutput": schemas[1],
            "ErrorResponse": _ERROR,
        },
    }


def _v3(settings: Settings, prefix: str, schemas: tuple[Any, Any], openapi: str) -> dict[str, Any]:
    def content(schema: dict[str, Any], media_type: str = "application/json") -> dict[str, Any]:
        return {"content": {media_type: {"schema": schema}}}

    failed = {"description": _FAILED, **content({"$ref": "#/components/schemas/ErrorResponse"})}
    bearer: list[dict[str, list[str]]] = [{"Bearer": []}]
    return {
        "openapi": openapi,
        "info": _info(settings),
        "security": bearer,
        "paths": {
            f"{prefix}/": {
                "get": {
                    "operationId": "ServiceHealthCheck",
                    "description": _HEALTH,
                    "responses": {
                        "200": {
                            "description": "Healthy",
                            **content({"type": "string"}, "text/plain"),
                        },
                        "default": failed,
                    },
                }
            },
            f"{prefix}/score": {
                "post": {
                    "operationId": "RunMLService",
                    "description": _SCORE,
                    "security": bearer,
                    "requestBody": {
                        "description": _INPUT,
                        **content({"$ref": "#/components/schemas/ServiceInput"}),
                    },
                    "responses": {
                        "200": {
                            "description": _OK,
                            **content({"$ref": "#/components/schemas/ServiceOutput"}),
                        },
                        "default": failed,
                    },
                }
            },
            f"{prefix}/swagger.json": {
                "get": {
                    "operationId": "GetSwaggerSpec",
                    "description": "Get the Swagger specification.",
                    "parameters": [
                        {"name": "version", "in": "query", "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {"description": "The Swagger specification.", **content({})},
                        "default": failed,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "Bearer": {"type": "apiKey", "name": "Authorization", "in": "header"}
            },
            "schemas": {
                "ServiceInput": schemas[0],
                "ServiceOutput": schemas[1],
                "ErrorResponse": _ERROR,
            },
        },
    }


def _info(settings: Settings) -> dict[str, str]:
    name = settings.service_name
    return {
        "title": name,
        "description": f"API specification for the Azure Machine Learning service {name}",
        "version": settings.service_version,
    }


def user_document(
    requested: str | None, settings: Settings, documents: UserDocuments
) -> bytes | None:
    """The app root's own document for the version asked for, as its file's bytes, if any."""
    version = _VERSIONS.get(requested or "2")
    return documents.find(settings.app_root, version) if version else None


def swagger_document(
    requested: str | None,
    settings: Settings,
    schemas: tuple[dict[str, Any] | None, dict[str, Any] | None],
    supported: Sequence[str],
) -> dict[str, Any]:
    """`supported`: the versions run()'s schemas fit, as inference-schema names them (2.0, ...).
    (The app root's own document, where there is one, is served instead: user_document.)"""
    version = _VERSIONS.get(requested or "2")
    fitting = ", ".join(sorted(_VERSIONS[name] for name in supported if name in _VERSIONS))
    if version is None:
        raise NotFound(
            f"Swagger version [{requested}] is not valid. Supported versions: [{fitting}]."
        )
    if version not in {_VERSIONS[name] for name in supported if name in _VERSIONS}:
        raise NotFound(
            f"Swagger version [{requested}] is not supported for the scoring script. "
            f"Supported swagger versions: [{fitting}]."
        )
    prefix = f"/{settings.service_path_prefix.strip('/')}" if settings.service_path_prefix else ""
    described = (schemas[0] or _UNTYPED, schemas[1] or _UNTYPED)
    if version == "2":
        return _v2(settings, prefix, described)
    return _v3(settings, prefix, described, "3.1.0" if version == "3.1" else "3.0.3")
