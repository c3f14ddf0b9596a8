"""docker/constraints.txt, the lock every image build installs from, covers pyproject.toml: each
dependency the image and its train stage install is pinned, at a version pyproject allows."""

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.paths import ROOT

IMAGE_PYTHON = {"python_full_version": "3.11.2", "python_version": "3.11", "sys_platform": "linux"}


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "docker" / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            pin = Requirement(line)
            if pin.marker is None or pin.marker.evaluate(IMAGE_PYTHON):
                pins[canonicalize_name(pin.name)] = str(pin.specifier).removeprefix("==")
    return pins


def test_every_dependency_the_image_installs_is_pinned_within_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    wanted = [*project["dependencies"], *project["optional-dependencies"]["train"]]
    for text in wanted:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate(IMAGE_PYTHON):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in docker/constraints.txt: run make lock"
        assert requirement.specifier.contains(pins[name]), (
            f"docker/constraints.txt pins {name}=={pins[name]}, outside {requirement}: make lock"
        )


def test_the_lock_says_how_to_remake_it() -> None:
    assert "make lock" in (ROOT / "docker" / "constraints.txt").read_text().splitlines()[1]
