"""docker/constraints.txt, the lock every image build installs from, covers pyproject.toml: each
dependency the image and its train stage install is pinned, at a version pyproject allows."""

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.lock import IMAGE_PYTHON, LOCK, image_pins
from tests.paths import ROOT


def test_every_dependency_the_image_installs_is_pinned_within_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = image_pins()
    extras = project["optional-dependencies"]
    wanted = [*project["dependencies"], *extras["train"], *extras["telemetry"]]
    for text in wanted:
        requirement = Requirement(text)
        if requirement.name == "scorehost":  # an extra of its own, e.g. scorehost[mnist]
            wanted += [e for extra in requirement.extras for e in extras[extra]]
            continue
        if requirement.marker is not None and not requirement.marker.evaluate(IMAGE_PYTHON):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in docker/constraints.txt: run make lock"
        assert requirement.specifier.contains(pins[name]), (
            f"docker/constraints.txt pins {name}=={pins[name]}, outside {requirement}: make lock"
        )


def test_the_lock_says_how_to_remake_it() -> None:
    assert "make lock" in LOCK.read_text().splitlines()[1]


def test_the_tutorial_models_requirements_file_is_its_extra() -> None:
    # the image installs the file; pip users the extra: the same libraries and floors
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    listed = (ROOT / "scorehost" / "examples" / "mnist" / "requirements.txt").read_text()
    lines = [line for line in listed.splitlines() if line and not line.startswith("#")]
    assert lines == extras["mnist"]
