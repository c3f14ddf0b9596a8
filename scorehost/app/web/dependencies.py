"""Named dependency aliases for route handlers (async: FastAPI runs sync ones in a thread)."""

from typing import Annotated

from fastapi import Depends, Request

from scorehost.app.scoring.service import ScoringService
from scorehost.app.settings import Settings


async def get_scoring(request: Request) -> ScoringService:
    service: ScoringService = request.app.state.scoring
    return service


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ScoringDep = Annotated[ScoringService, Depends(get_scoring)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
