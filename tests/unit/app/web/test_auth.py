"""Optional API keys, Azure ML's way: `Authorization: Bearer <key>`, compared in constant time."""

from pathlib import Path

import pytest

from scorehost.app.settings import Settings
from scorehost.app.web.auth import configured_keys
from tests.paths import SCRIPTS
from tests.unit.app.conftest import served

PRIMARY, SECONDARY = "primary-key-0123", "secondary-key-4567"


def test_without_keys_scoring_is_open() -> None:
    with served(SCRIPTS / "echo.py") as client:
        assert client.post("/score", content="x").status_code == 200


@pytest.mark.parametrize("key", [PRIMARY, SECONDARY])
def test_either_key_is_accepted(key: str) -> None:
    with served(SCRIPTS / "echo.py", primary_key=PRIMARY, secondary_key=SECONDARY) as client:
        answer = client.post("/score", content="x", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "This service needs an API key: send 'Authorization: Bearer <key>'."),
        ("Basic abc", "This service needs an API key: send 'Authorization: Bearer <key>'."),
        ("Bearer wrong-key-999", "The API key is not valid."),
    ],
)
def test_a_missing_or_wrong_key_is_401_with_a_challenge(
    authorization: str | None, message: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    with served(SCRIPTS / "echo.py", primary_key=PRIMARY) as client:
        answer = client.post("/score", content="x", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["message"] == message
    assert answer.headers["www-authenticate"] == 'Bearer realm="scorehost"'


def test_keys_come_from_the_settings_and_a_keys_file(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# rotated monthly\nthird\n\n  fourth  \n")
    settings = Settings(primary_key="first", secondary_key="second", api_keys_file=keys)
    assert configured_keys(settings) == ["first", "second", "third", "fourth"]
    assert configured_keys(Settings()) == []
