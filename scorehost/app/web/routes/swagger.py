"""GET /swagger.json: Azure ML's service document (`?version=2|3|3.1`; 2 by default). The app
root's own document is read off the event loop, once per version of its file."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from scorehost.app.aml_api.aml_response import RUN_FAILED_HEADER
from scorehost.app.web.dependencies import ScoringDep, SettingsDep
from scorehost.app.web.swagger import UserDocuments, swagger_document, user_document

router = APIRouter()
_user_documents = UserDocuments()


@router.get("/swagger.json", include_in_schema=False)
async def swagger_json(
    scoring: ScoringDep, settings: SettingsDep, version: str | None = None
) -> Response:
    headers = {RUN_FAILED_HEADER: "False"}
    own = await run_in_threadpool(user_document, version, settings, _user_documents)
    if own is not None:
        return Response(own, media_type="application/json", headers=headers)
    document = swagger_document(version, settings, scoring.schemas(), scoring.swagger_versions())
    return JSONResponse(document, headers=headers)
