"""Named dependency aliases for route handlers."""

from typing import Annotated

from fastapi import Depends, Request

from app.scoring import ScoringService
from app.settings import Settings


def get_scoring(request: Request) -> ScoringService:
    service: ScoringService = request.app.state.scoring
    return service


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ScoringDep = Annotated[ScoringService, Depends(get_scoring)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
