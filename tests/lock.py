"""docker/constraints.txt as the image reads it: the pins that apply to its Python on Linux."""

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.paths import ROOT

LOCK = ROOT / "docker" / "constraints.txt"
IMAGE_PYTHON = {"python_full_version": "3.11.2", "python_version": "3.11", "sys_platform": "linux"}


def image_pins() -> dict[str, str]:
    """Canonical name -> pinned version, for the image's Python 3.11 on Linux."""
    pins: dict[str, str] = {}
    for line in LOCK.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            pin = Requirement(line)
            if pin.marker is None or pin.marker.evaluate(IMAGE_PYTHON):
                pins[canonicalize_name(pin.name)] = str(pin.specifier).removeprefix("==")
    return pins
