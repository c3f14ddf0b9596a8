"""/score: POST sends the body to run(), GET its query string, OPTIONS answers empty (a
@rawhttp run() gets the request itself, whatever its method)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask

from scorehost.app.process.memory import return_freed_memory
from scorehost.app.scoring.request import ScoreRequest
from scorehost.app.web.admission import LARGE_BODY
from scorehost.app.web.body import read_limited
from scorehost.app.web.dependencies import AdmissionDep, ScoringDep, SettingsDep
from scorehost.app.web.responses import score_response

router = APIRouter(tags=["scoring"])

_ERROR = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"message": {"type": "string"}, "request_id": {"type": "string"}},
            }
        }
    }
}
_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Passed to run() as a str, unchanged, whatever its Content-Type: what "
        "it holds is the script's to say (a typed run() publishes its schema here).",
        "content": {"application/json": {"schema": {}}},
    },
    "responses": {
        "200": {
            "description": "run()'s return value as JSON",
            "content": {"application/json": {"schema": {}}},
        },
        **{
            str(code): {"description": description, **_ERROR}
            for code, description in {
                400: "Body is empty, not UTF-8 or not JSON",
                401: "API keys are on and the request has none or a wrong one",
                408: "The body did not arrive within SCOREHOST_BODY_TIMEOUT_S",
                413: "Body larger than the size limit",
                422: "Body parses but does not fit the model (shape, types)",
                500: "run() failed (x-ms-run-function-failed: True)",
                503: "init() has not finished",
                504: "run() exceeded SCORING_TIMEOUT_MS",
            }.items()
        },
    },
}


_GET_OPENAPI: dict[str, Any] = {
    "description": "As Azure ML's server does: the query string becomes run()'s input, each "
    'value parsed as JSON where it is JSON (`?a=1&b=[1,2]&c=x` is `{"a": 1, "b": [1, 2], '
    '"c": "x"}`), a repeated name a list. Typed scripts take their parameters by name.',
    "responses": _OPENAPI["responses"],
}


@router.post("/score", summary="Score with run()", openapi_extra=_OPENAPI)
@router.get(
    "/score", summary="Score with run(), input in the query string", openapi_extra=_GET_OPENAPI
)
@router.options("/score", include_in_schema=False)
# Answered, not redirected: a redirect would build its Location from the caller's Host header.
@router.api_route("/score/", methods=["GET", "POST", "OPTIONS"], include_in_schema=False)
async def score(
    request: Request, scoring: ScoringDep, settings: SettingsDep, admission: AdmissionDep
) -> Response:
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        size = int(declared)
    else:  # chunked: as large as allowed; neither header: no body (a GET, say)
        chunked = "transfer-encoding" in request.headers
        size = settings.max_body_bytes if chunked else 0
    with admission.admit(min(size, settings.max_body_bytes)):
        body = await read_limited(request, settings.max_body_bytes, settings.body_timeout_s)
        scored = await scoring.score(
            ScoreRequest(
                request.method,
                body,
                request.headers,
                request.query_params.multi_items() if request.method == "GET" else (),
                request.scope,
            )
        )
        response = score_response(scored)
    if size >= LARGE_BODY:  # after the answer is sent, and the body and its copies are gone
        response.background = BackgroundTask(return_freed_memory)
    return response
