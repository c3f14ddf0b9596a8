import asyncio
from types import SimpleNamespace
from typing import Any

from scorehost.app.web.dependencies import get_app_settings, get_scoring


def test_handlers_get_the_apps_own_service_and_settings() -> None:
    state = SimpleNamespace(scoring=object(), settings=object())
    request: Any = SimpleNamespace(app=SimpleNamespace(state=state))
    assert asyncio.run(get_scoring(request)) is state.scoring
    assert asyncio.run(get_app_settings(request)) is state.settings
