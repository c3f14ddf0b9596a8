"""/score: POST sends the body to run(), GET its query string, OPTIONS answers empty (a
@rawhttp run() gets the request itself, whatever its method).

`ScoreEndpoint` answers the requests. The FastAPI routes below declare /score for the OpenAPI
document and serve it when requests go through FastAPI (telemetry on); otherwise the app sends
/score to the endpoint directly (`scorehost/app/web/app.py`), past FastAPI's routing."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask
from starlette.types import Receive, Scope, Send

from scorehost.app.errors import ScorehostError
from scorehost.app.process.memory import return_freed_memory
from scorehost.app.scoring.request import ScoreRequest
from scorehost.app.scoring.service import ScoringService
from scorehost.app.settings import Settings
from scorehost.app.web.admission import LARGE_BODY, BodyAdmission
from scorehost.app.web.auth import KeyCheck
from scorehost.app.web.body import read_limited
from scorehost.app.web.errors import scorehost_error_response
from scorehost.app.web.responses import score_response

PATHS = ("/score", "/score/")
METHODS = frozenset({"GET", "POST", "OPTIONS"})


class ScoreEndpoint:
    """One scoring request, from the key check to run()'s answer; an ASGI app of its own."""

    def __init__(self, scoring: ScoringService, settings: Settings) -> None:
        self._scoring = scoring
        self._settings = settings
        self._keys = KeyCheck(settings.api_keys())
        self._admission = BodyAdmission(settings.body_budget())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.respond(request)
        except ScorehostError as exc:
            response = scorehost_error_response(exc)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        """run()'s answer; raises a ScorehostError when there is none to give."""
        self._keys.check(request.headers)
        settings = self._settings
        declared = request.headers.get("content-length", "")
        if declared.isdigit():
            size = int(declared)
        else:  # chunked: as large as allowed; neither header: no body (a GET, say)
            chunked = "transfer-encoding" in request.headers
            size = settings.max_body_bytes if chunked else 0
        with self._admission.admit(min(size, settings.max_body_bytes)):
            body = await read_limited(request, settings.max_body_bytes, settings.body_timeout_s)
            scored = await self._scoring.score(
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


async def _endpoint(request: Request) -> ScoreEndpoint:
    endpoint: ScoreEndpoint = request.app.state.score_endpoint
    return endpoint


EndpointDep = Annotated[ScoreEndpoint, Depends(_endpoint)]
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
async def score(request: Request, endpoint: EndpointDep) -> Response:
    return await endpoint.respond(request)
