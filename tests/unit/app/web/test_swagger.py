"""/swagger.json's documents: the versions, the typed schemas, the app root's own files."""

import json
from pathlib import Path

import pytest

from scorehost.app.errors import NotFound
from scorehost.app.settings import Settings
from scorehost.app.web.swagger import UserDocuments, swagger_document, user_document

ALL = ("2.0", "3.0", "3.1")
TYPED = ({"type": "object", "properties": {"data": {}}}, {"type": "array"})


def test_swagger_2_by_default_with_the_service_name_and_prefix(tmp_path: Path) -> None:
    settings = Settings(app_root=tmp_path, service_name="digits", service_path_prefix="/api/")
    document = swagger_document(None, settings, TYPED, ALL)
    assert document["swagger"] == "2.0" and document["info"]["title"] == "digits"
    assert set(document["paths"]) == {"/api/", "/api/score", "/api/swagger.json"}
    assert document["definitions"]["ServiceInput"] == TYPED[0]


@pytest.mark.parametrize(
    ("version", "openapi"), [("3", "3.0.3"), ("3.0", "3.0.3"), ("3.1", "3.1.0")]
)
def test_openapi_3_versions(tmp_path: Path, version: str, openapi: str) -> None:
    document = swagger_document(version, Settings(app_root=tmp_path), TYPED, ALL)
    assert document["openapi"] == openapi
    assert document["components"]["schemas"]["ServiceOutput"] == TYPED[1]


def test_unknown_and_unfitting_versions_are_not_found(tmp_path: Path) -> None:
    settings = Settings(app_root=tmp_path)
    with pytest.raises(NotFound, match=r"\[4\] is not valid"):
        swagger_document("4", settings, TYPED, ALL)
    with pytest.raises(NotFound, match=r"not supported for the scoring script.*\[3, 3.1\]"):
        swagger_document("2", settings, TYPED, ("3.0", "3.1"))


def test_the_app_roots_own_file_wins(tmp_path: Path) -> None:
    (tmp_path / "swagger.json").write_text(json.dumps({"own": True}))
    own = user_document("2", Settings(app_root=tmp_path), UserDocuments())
    assert own is not None and json.loads(own) == {"own": True}
