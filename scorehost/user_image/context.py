"""The build context `scorehost build` gives `docker build`: the script's folder, its model, its
requirements and a Dockerfile FROM the scorehost image, so the user, the probes, the HEALTHCHECK
and the runit start are the base image's own."""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from scorehost import __version__
from scorehost.deploy.shared.image import IMAGE_MODEL_DIR
from scorehost.user_image.requirements import Requirements

APP_ROOT = "/var/azureml-app"  # where Azure ML puts the source folder (the base's AML_APP_ROOT)
BASE_SCRIPT = "/opt/scorehost/score.py"  # the tutorial's, in the base image
VENV_PIP = "/opt/venv/bin/pip"  # the server's venv: the script's packages go beside it
# Never copied into the image: what only the author's machine needs.
_IGNORED = (".git", ".venv", "venv", "__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache")


@dataclass(frozen=True)
class Plan:
    folder: Path
    entry_script: str  # relative to the folder
    model_dir: Path | None
    requirements: Requirements
    base_image: str
    pip_ca: Path | None


def dockerfile(plan: Plan) -> str:
    lines = [
        f"# Written by scorehost build {__version__} from {plan.folder}: {plan.base_image} with",
        "# this script's requirements, folder and model; user, probes and start are the base's.",
        f"FROM {plan.base_image}",
        "USER 0",
    ]
    # The base's own script and model go, so nothing of the tutorial is served by mistake.
    run = f"rm -rf {BASE_SCRIPT} {IMAGE_MODEL_DIR}"
    if plan.requirements.lines:
        cert = ""
        lines.append("COPY requirements.txt /tmp/scorehost-build/requirements.txt")
        if plan.pip_ca is not None:
            # a proxy's CA bundle (public certificates): used by pip, then deleted
            lines.append("COPY pip-ca.pem /tmp/scorehost-build/pip-ca.pem")
            cert = "--cert /tmp/scorehost-build/pip-ca.pem "
        lines.append("# pip check: the build fails if these requirements break the server's own")
        run = (
            f"{VENV_PIP} install --no-cache-dir --disable-pip-version-check {cert}\\\n"
            "        -r /tmp/scorehost-build/requirements.txt \\\n"
            f"    && {VENV_PIP} check && rm -rf /tmp/scorehost-build \\\n    && {run}"
        )
    lines += [f"RUN {run}", f"COPY app/ {APP_ROOT}/"]
    environment = [f"AZUREML_ENTRY_SCRIPT={plan.entry_script}", f"AML_APP_ROOT={APP_ROOT}"]
    if plan.model_dir is not None:
        # where the deploy commands point SCOREHOST_MODEL_DIR, as for the default image
        lines.append(f"COPY model/ {IMAGE_MODEL_DIR}/")
        environment.append(f"AZUREML_MODEL_DIR={IMAGE_MODEL_DIR}")
    else:  # no model: none at all (empty reads as unset), not the tutorial's gone folder
        environment.append('AZUREML_MODEL_DIR=""')
    lines += ["ENV " + " \\\n    ".join(environment), "USER 10001"]
    return "\n".join(lines) + "\n"


def _readable_copy(source: Path, target: Path, ignore_model: Path | None) -> None:
    """Copy a folder, readable by the image's non-root user whatever the author's umask."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = shutil.ignore_patterns(*_IGNORED)(folder, names)
        if ignore_model is not None:
            skipped |= {name for name in names if Path(folder, name) == ignore_model}
        return skipped

    shutil.copytree(source, target, ignore=ignore, symlinks=False)
    for root, dirs, files in os.walk(target):
        for name in dirs:
            Path(root, name).chmod(0o755)
        for name in files:
            Path(root, name).chmod(0o644)


def write(plan: Plan, context: Path) -> None:
    """Fill the (empty) context folder."""
    model = plan.model_dir.resolve() if plan.model_dir is not None else None
    _readable_copy(plan.folder, context / "app", model)
    if model is not None:
        _readable_copy(model, context / "model", None)
    (context / "requirements.txt").write_text(plan.requirements.text(), encoding="utf-8")
    if plan.pip_ca is not None:
        shutil.copyfile(plan.pip_ca, context / "pip-ca.pem")
    (context / "Dockerfile").write_text(dockerfile(plan), encoding="utf-8")
