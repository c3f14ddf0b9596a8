"""`scorehost build FOLDER --tag IMAGE`: bake a score.py, its model and its requirements into an
image FROM scorehost's, the way Azure ML environments, `mlserver build` and `bentoml
containerize` bake a model's own dependencies."""

import argparse
from pathlib import Path

from scorehost.app.commands import CommandGroup, SubParsers
from scorehost.user_image import requirements

DEFAULT_BASE = "scorehost:latest"  # what `make image` builds


def _register(commands: SubParsers) -> None:
    build = commands.add_parser(
        "build",
        help="build an image FROM scorehost's with a score.py, its model and requirements",
        description="Build a Docker image FROM the scorehost image with FOLDER's score.py (the "
        "folder, as Azure ML copies the source directory), its model folder, and the "
        "packages of its requirements.txt or conda environment.yml installed beside the server. "
        "The user, probes, HEALTHCHECK and start command are the base image's, so docker "
        "compose and the deploy commands take the new image as they take the default one. "
        "What goes in: the folder less what its .amlignore (else .gitignore) and .dockerignore "
        "name, hidden files, caches and virtual environments, and files that look like "
        "credentials (config.json at the top, *.pem, *.key, *.env, ...) unless named with "
        "--include; a link out of the folder stops the build. The requirements cannot move a "
        "package the server runs on (exit 2 naming both versions), nor change pip's index "
        "unless --allow-index-options.",
    )
    build.add_argument("folder", type=Path, help="the folder holding the entry script")
    build.add_argument("-t", "--tag", required=True, help="the image to build, e.g. my-model:1")
    build.add_argument(
        "--entry-script", default="score.py", help="inside FOLDER (default: %(default)s)"
    )
    build.add_argument(
        "--model-dir",
        type=Path,
        help="the model folder, AZUREML_MODEL_DIR in the image (default: FOLDER/model or "
        "FOLDER/models if one exists; else none)",
    )
    build.add_argument(
        "--model-layout",
        choices=("folder", "registered"),
        default="folder",
        help="folder: AZUREML_MODEL_DIR is the model folder itself (Azure ML v1, scorehost "
        "serve); registered: it holds the folder under its own name, as an Azure ML v2 online "
        "or batch deployment mounts a model registered from a folder (default: %(default)s)",
    )
    build.add_argument(
        "--requirements",
        type=Path,
        help="a pip requirements file or a conda environment file (default: the first of "
        f"{', '.join(requirements.CANDIDATES)} in FOLDER)",
    )
    build.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="PATH",
        help="a file in FOLDER to put in although it looks like a credential or is hidden "
        "(repeatable)",
    )
    build.add_argument(
        "--allow-index-options",
        action="store_true",
        help="keep --index-url, --extra-index-url, --find-links, --trusted-host and --no-index "
        "lines of the requirements (refused by default: another index can serve any package)",
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


def _build(args: argparse.Namespace) -> int:
    from scorehost.user_image import build  # the build extra's libraries, only when building

    return build.run(args)


COMMANDS = CommandGroup(
    _register, extras={"pathspec": "build", "packaging": "build", "yaml": "build"}
)
