"""`scorehost build FOLDER --tag IMAGE`: bake a score.py, its model and its requirements into an
image FROM scorehost's, the way Azure ML environments, `mlserver build` and `bentoml
containerize` bake a model's own dependencies."""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from scorehost.app.commands import CommandError, CommandGroup, SubParsers, UsageError
from scorehost.user_image import context, requirements

DEFAULT_BASE = "scorehost:latest"  # what `make image` builds


class DockerBuildError(CommandError):
    """docker build ran and failed; its own output says why."""


def _register(commands: SubParsers) -> None:
    build = commands.add_parser(
        "build",
        help="build an image FROM scorehost's with a score.py, its model and requirements",
        description="Build a Docker image FROM the scorehost image with FOLDER's score.py (the "
        "whole folder, as Azure ML copies the source directory), its model folder, and the "
        "packages of its requirements.txt or conda environment.yml installed beside the server. "
        "The user, probes, HEALTHCHECK and start command are the base image's, so docker "
        "compose and the deploy commands take the new image as they take the default one.",
    )
    build.add_argument("folder", type=Path, help="the folder holding the entry script")
    build.add_argument("-t", "--tag", required=True, help="the image to build, e.g. my-model:1")
    build.add_argument(
        "--entry-script", default="score.py", help="inside FOLDER (default: %(default)s)"
    )
    build.add_argument(
        "--model-dir",
        type=Path,
        help="the model folder, AZUREML_MODEL_DIR in the image (default: FOLDER/model if it "
        "exists; else none)",
    )
    build.add_argument(
        "--requirements",
        type=Path,
        help="a pip requirements file or a conda environment file (default: the first of "
        f"{', '.join(requirements.CANDIDATES)} in FOLDER)",
    )
    build.add_argument(
        "--base",
        default=DEFAULT_BASE,
        help="the scorehost image to build on (default: %(default)s)",
    )
    build.add_argument(
        "--pip-ca",
        type=Path,
        help="a CA bundle for pip, where a proxy intercepts TLS (it stays in one layer)",
    )
    build.add_argument("--docker", default="docker", help="the docker client (default: docker)")
    build.add_argument(
        "--dry-run", action="store_true", help="print the Dockerfile and requirements; no build"
    )
    build.set_defaults(handler=_build)


def _plan(args: argparse.Namespace) -> context.Plan:
    folder: Path = args.folder.resolve()
    if not folder.is_dir():
        raise UsageError(
            f"{args.folder} is not a folder (give the one holding {args.entry_script})"
        )
    if not (folder / args.entry_script).is_file():
        raise UsageError(f"entry script {folder / args.entry_script} not found")
    model_dir: Path | None = args.model_dir
    if model_dir is None and (folder / "model").is_dir():
        model_dir = folder / "model"
    if model_dir is not None and not model_dir.is_dir():
        raise UsageError(f"model folder {model_dir} not found")
    if args.pip_ca is not None and not args.pip_ca.is_file():
        raise UsageError(f"CA bundle {args.pip_ca} not found")
    found = requirements.find(folder, args.requirements)
    return context.Plan(
        folder=folder,
        entry_script=args.entry_script,
        model_dir=model_dir,
        requirements=requirements.read(found),
        base_image=args.base,
        pip_ca=args.pip_ca,
    )


def _build(args: argparse.Namespace) -> int:
    plan = _plan(args)
    for note in plan.requirements.notes:
        print(f"scorehost build: {note}", file=sys.stderr)
    if args.dry_run:  # what would be built, without copying the folder and model
        print(context.dockerfile(plan), end="")
        print("\n# requirements.txt")
        print(plan.requirements.text(), end="")
        return 0
    with tempfile.TemporaryDirectory(prefix="scorehost-build-") as folder:
        build_context = Path(folder)
        context.write(plan, build_context)
        try:
            result = subprocess.run(
                [args.docker, "build", "--tag", args.tag, str(build_context)], check=False
            )
        except FileNotFoundError:
            raise UsageError(f"no docker client {args.docker!r} on PATH") from None
    if result.returncode != 0:
        raise DockerBuildError(f"docker build of {args.tag} failed (its output is above)")
    print(f"built {args.tag}: docker run -p 5001:5001 {args.tag}")
    return 0


COMMANDS = CommandGroup(_register)
