"""The build context `scorehost build` gives `docker build`: the script's folder, its model, its
requirements and a Dockerfile FROM the scorehost image, so the user, the probes, the HEALTHCHECK
and the runit start are the base image's own."""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from scorehost import __version__
from scorehost.deploy.shared.image import IMAGE_MODEL_DIR
from scorehost.deploy.shared.snapshot import Snapshot
from scorehost.user_image.requirements import Requirements
from scorehost.user_image.server_pins import SERVER_LOCK

APP_ROOT = "/var/azureml-app"  # where Azure ML puts the source folder (the base's AML_APP_ROOT)
BASE_SCRIPT = "/opt/scorehost/score.py"  # the tutorial's, in the base image
VENV_PIP = "/opt/venv/bin/pip"  # the server's venv: the script's packages go beside it


@dataclass(frozen=True)
class Plan:
    folder: Path
    entry_script: str  # relative to the folder
    app: Snapshot  # the folder's files that go in (ignore files, secrets and the model out)
    model: Snapshot | None
    requirements: Requirements
    base_image: str
    pip_ca: Path | None
    # folder: AZUREML_MODEL_DIR is the model folder itself; registered: it holds the folder
    # under its own name, as Azure ML v2 mounts a model registered from a folder
    model_layout: str = "folder"

    @property
    def model_dir(self) -> Path | None:
        return self.model.folder if self.model is not None else None

    @property
    def model_target(self) -> str | None:
        """Where the model's files are in the image."""
        if self.model is None:
            return None
        if self.model_layout == "registered":
            return f"{IMAGE_MODEL_DIR}/{self.model.folder.name}"
        return IMAGE_MODEL_DIR


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
        lines.append("# The server's own packages stay at the base's versions (-c its lock); pip")
        lines.append("# check: the build fails if these requirements break the server's own.")
        run = (
            f"{VENV_PIP} install --no-cache-dir --disable-pip-version-check {cert}\\\n"
            f"        -c {SERVER_LOCK} -r /tmp/scorehost-build/requirements.txt \\\n"
            f"    && {VENV_PIP} check && rm -rf /tmp/scorehost-build \\\n    && {run}"
        )
    lines += [f"RUN {run}", f"COPY app/ {APP_ROOT}/"]
    environment = [f"AZUREML_ENTRY_SCRIPT={plan.entry_script}", f"AML_APP_ROOT={APP_ROOT}"]
    if plan.model_dir is not None:
        # where the deploy commands point SCOREHOST_MODEL_DIR, as for the default image
        lines.append(f"COPY model/ {plan.model_target}/")
        environment.append(f"AZUREML_MODEL_DIR={IMAGE_MODEL_DIR}")
    else:  # no model: none at all (empty reads as unset), not the tutorial's gone folder
        environment.append('AZUREML_MODEL_DIR=""')
    lines += ["ENV " + " \\\n    ".join(environment), "USER 10001"]
    return "\n".join(lines) + "\n"


def _readable_copy(snapshot: Snapshot, target: Path) -> None:
    """Copy a snapshot, readable by the image's non-root user whatever the author's umask."""
    target.mkdir()
    snapshot.copy_to(target)
    for root, dirs, files in os.walk(target):
        for name in dirs:
            Path(root, name).chmod(0o755)
        for name in files:
            if not Path(root, name).is_symlink():
                Path(root, name).chmod(0o644)


def write(plan: Plan, context: Path) -> None:
    """Fill the (empty) context folder."""
    _readable_copy(plan.app, context / "app")
    if plan.model is not None:
        _readable_copy(plan.model, context / "model")
    (context / "requirements.txt").write_text(plan.requirements.text(), encoding="utf-8")
    if plan.pip_ca is not None:
        shutil.copyfile(plan.pip_ca, context / "pip-ca.pem")
    (context / "Dockerfile").write_text(dockerfile(plan), encoding="utf-8")
