"""The OpenAPI document, with a typed run()'s own input and output schemas on POST /score."""

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from scorehost.app.scoring.service import ScoringService
from scorehost.app.scoring.typed_input import NPY_MEDIA_TYPE
from scorehost.app.web.routes import score


def _with_example(schema: dict[str, Any]) -> dict[str, Any]:
    body = {"schema": {key: value for key, value in schema.items() if key != "example"}}
    if "example" in schema:
        body["example"] = schema["example"]
    return body


def openapi_builder(app: FastAPI, scoring: ScoringService) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        # Not cached: a typed script's schema is known only once init() has run.
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        # /score is a plain route (web/routes/score.py), described there.
        document["paths"]["/score"] = copy.deepcopy(score.OPENAPI)
        input_schema, output_schema = scoring.schemas()
        operation = document["paths"]["/score"]["post"]
        if input_schema:
            operation["requestBody"]["description"] = (
                "run() is typed with inference-schema: the body is parsed by the server and each "
                f"parameter passed decoded. A single numpy input may also come as {NPY_MEDIA_TYPE}."
            )
            operation["requestBody"]["content"] = {
                "application/json": _with_example(input_schema),
                NPY_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            }
        if output_schema:
            operation["responses"]["200"]["content"] = {
                "application/json": _with_example(output_schema)
            }
        return document

    return build
