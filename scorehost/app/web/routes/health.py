"""Probes: Azure ML's `GET /` plus Kubernetes-style liveness and readiness."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from scorehost.app.scoring.service import Status
from scorehost.app.web.dependencies import ScoringDep

router = APIRouter(tags=["health"])


@router.get("/", response_class=PlainTextResponse, summary="Azure ML liveness probe")
async def azure_health(scoring: ScoringDep) -> PlainTextResponse:
    """`Healthy` once init() has succeeded (Azure ML's probe); 503 while loading or failed."""
    ready = scoring.status is Status.READY
    return PlainTextResponse("Healthy" if ready else "Unhealthy", status_code=200 if ready else 503)


@router.get("/health/live", summary="Liveness: the process answers")
async def live() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/health/ready", summary="Readiness: init() has succeeded")
async def ready(scoring: ScoringDep) -> JSONResponse:
    body = {
        "status": scoring.status.value,
        "init_seconds": scoring.init_seconds,
        "error": scoring.failure,
    }
    return JSONResponse(body, status_code=200 if scoring.status is Status.READY else 503)
