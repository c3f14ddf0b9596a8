"""GET /swagger.json: Azure ML's service document (`?version=2|3|3.1`; 2 by default)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from scorehost.app.aml_api.aml_response import RUN_FAILED_HEADER
from scorehost.app.web.dependencies import ScoringDep, SettingsDep
from scorehost.app.web.swagger import swagger_document

router = APIRouter()


@router.get("/swagger.json", include_in_schema=False)
async def swagger_json(
    scoring: ScoringDep, settings: SettingsDep, version: str | None = None
) -> JSONResponse:
    document = swagger_document(version, settings, scoring.schemas(), scoring.swagger_versions())
    return JSONResponse(document, headers={RUN_FAILED_HEADER: "False"})
