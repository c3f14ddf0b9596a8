"""Optional API keys, Azure ML's way: `Authorization: Bearer <key>`, compared in constant time."""

from pathlib import Path

import pytest

from scorehost.app.keys_file import KeysFileError, read_keys_file
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


def test_a_keys_files_keys_are_its_lines_but_comments_and_blanks(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# rotated monthly\nthird\n\n  fourth  \n")
    assert read_keys_file(keys) == ["third", "fourth"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"# nothing but a comment\n\n", "holds no key"),
        (b"\xff\xfe key", "is not UTF-8 text"),
    ],
)
def test_a_keys_file_that_gives_no_key_is_refused(
    tmp_path: Path, content: bytes, message: str
) -> None:
    keys = tmp_path / "keys"
    keys.write_bytes(content)
    with pytest.raises(KeysFileError, match=message):
        read_keys_file(keys)


@pytest.mark.parametrize("path", ["/metrics", "/openapi.json", "/docs", "/redoc"])
def test_with_keys_on_the_servers_own_documents_need_a_key_too(path: str) -> None:
    with served(SCRIPTS / "echo.py", primary_key=PRIMARY) as client:
        refused = client.get(path)
        allowed = client.get(path, headers={"Authorization": f"Bearer {PRIMARY}"})
        health = client.get("/health/live")
        swagger = client.get("/swagger.json")
    assert refused.status_code == 401
    assert allowed.status_code == 200
    assert (health.status_code, swagger.status_code) == (200, 200)  # probes, azmlinfsrv's
