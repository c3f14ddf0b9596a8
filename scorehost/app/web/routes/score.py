"""/score: POST sends the body to run(), GET its query string, OPTIONS answers empty (a
@rawhttp run() gets the request itself, whatever its method).

One ASGI endpoint on two plain routes, `/score` and `/score/` (answered, not redirected: a
redirect would build its Location from the caller's Host header). No FastAPI dependency
injection on the path every request takes; its OpenAPI operations are written out below."""

from typing import Any

from starlette.background import BackgroundTask
from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from scorehost.app.memory import Limits, return_freed_memory
from scorehost.app.scoring.request import ScoreRequest
from scorehost.app.scoring.service import ScoringService
from scorehost.app.settings import Settings
from scorehost.app.web.auth import KeyCheck
from scorehost.app.web.body import LARGE_BODY, BodyAdmission, body_size, read_limited
from scorehost.app.web.responses import score_response

METHODS = ["GET", "POST", "OPTIONS"]


class ScoreEndpoint:
    """One scoring request, from the key check to run()'s answer. What fails is raised as a
    ScorehostError, which the app's error handlers answer."""

    def __init__(
        self, scoring: ScoringService, settings: Settings, limits: Limits, keys: KeyCheck
    ) -> None:
        self._scoring = scoring
        self._body_timeout_s = settings.body_timeout_s
        self._max_body = limits.max_body_bytes
        self._keys = keys
        self._admission = BodyAdmission(limits.body_budget)
        self._routes: dict[str, Route] = {}

    def route(self, path: str, include_in_schema: bool) -> Route:
        """A plain route to this endpoint (no dependency injection on the way)."""
        route = Route(path, self, methods=METHODS, include_in_schema=include_in_schema)
        route.methods = set(METHODS)  # Starlette adds HEAD to GET: it would call run() for nothing
        self._routes[path] = route
        return route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Which route answered, as FastAPI's own routes say it (metrics label by its path).
        scope["route"] = self._routes.get(scope["path"])
        response = await self.respond(scope, receive)
        await response(scope, receive, send)

    async def respond(self, scope: Scope, receive: Receive) -> Response:
        headers = Headers(scope=scope)
        self._keys.check(headers)
        size = body_size(headers, self._max_body)
        method = scope["method"]
        with self._admission.admit(size.reserve):
            body = await read_limited(receive, self._max_body, self._body_timeout_s, size.declared)
            query = QueryParams(scope["query_string"]).multi_items() if method == "GET" else ()
            scored = await self._scoring.score(ScoreRequest(method, body, headers, query, scope))
            response = score_response(scored, self._scoring.stream)
        if (
            size.reserve >= LARGE_BODY
        ):  # after the answer is sent, and the body and its copies are gone
            response.background = BackgroundTask(return_freed_memory)
        return response


def routes(endpoint: ScoreEndpoint) -> list[Route]:
    return [endpoint.route("/score", True), endpoint.route("/score/", False)]


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
_RESPONSES: dict[str, Any] = {
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
}
# The OpenAPI path item of /score (typed scripts' schemas are added by web/openapi.py).
OPENAPI: dict[str, Any] = {
    "get": {
        "tags": ["scoring"],
        "summary": "Score with run(), input in the query string",
        "description": "As Azure ML's server does: the query string becomes run()'s input, each "
        'value parsed as JSON where it is JSON (`?a=1&b=[1,2]&c=x` is `{"a": 1, "b": [1, 2], '
        '"c": "x"}`), a repeated name a list. Typed scripts take their parameters by name.',
        "operationId": "score_score_get",
        "responses": _RESPONSES,
    },
    "post": {
        "tags": ["scoring"],
        "summary": "Score with run()",
        "operationId": "score_score_post",
        "requestBody": {
            "description": "Passed to run() as a str, unchanged, whatever its Content-Type: what "
            "it holds is the script's to say (a typed run() publishes its schema here).",
            "content": {"application/json": {"schema": {}}},
            "required": True,
        },
        "responses": _RESPONSES,
    },
}
