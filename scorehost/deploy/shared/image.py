"""The image every target runs, by digest: as given, or the local image pushed and read back.
Also what the scorehost image itself holds, which targets point Azure at."""

import sys
from collections.abc import Callable

from scorehost.deploy.shared.config import ImageConfig
from scorehost.deploy.shared.errors import ConfigError
from scorehost.deploy.shared.registry import DockerCli, RegistryLogin

IMAGE_MODEL_DIR = "/opt/scorehost/model"  # where the Dockerfile bakes the default model
PLACEHOLDER_PASSWORD = "<secure: SCOREHOST_REGISTRY_PASSWORD>"  # noqa: S105 - a label


def registry_password(username: str | None, environ: dict[str, str], dry_run: bool) -> str | None:
    """The password of a private registry's user: from the environment only, never a file."""
    if not username:
        return None
    if dry_run:
        return PLACEHOLDER_PASSWORD
    password = environ.get("SCOREHOST_REGISTRY_PASSWORD")
    if not password:
        raise ConfigError("registry_username: set SCOREHOST_REGISTRY_PASSWORD to its password")
    return password


def planned_image(config: ImageConfig, docker: DockerCli, registry: str) -> tuple[str, list[str]]:
    """A dry run's image reference and first steps; a local image never built is named, not
    fatal (a fresh project has not built its image yet)."""
    if config.image_is_pinned:
        return config.image, []
    steps = [
        f"docker tag/push {config.image} to {registry}/{config.push_repository}; read the digest"
    ]
    if not docker.image_exists(config.image):
        steps.insert(
            0,
            f"NOTE: {config.image} is not a local image yet; build it (scorehost build FOLDER "
            f"--tag {config.image})",
        )
    return f"{registry}/{config.push_repository}@sha256:<digest read back after push>", steps


def pushed_image(
    config: ImageConfig, docker: DockerCli, login_for: Callable[[], RegistryLogin | str | None]
) -> str:
    """The image by digest: as given, or the local image tagged, pushed and read back.
    `login_for` gives the registry to push to (asked only once the local image is found)."""
    if config.image_is_pinned:
        return config.image
    if not docker.image_exists(config.image):
        raise ConfigError(
            f"image: {config.image} is not a local image (build it: scorehost build FOLDER "
            f"--tag {config.image}) nor a "
            "registry/repo@sha256:... reference"
        )
    login = login_for()
    if login is None:
        raise ConfigError(
            f"registry: {config.image} is a local image; give --registry to push it to, or "
            "--image <registry>/<repo>@sha256:... of an image already pushed"
        )
    tag = config.image.rsplit(":", 1)[-1] if ":" in config.image else "latest"
    image_ref = docker.push(config.image, login, config.push_repository, tag)
    print(f"pushed {config.image} as {image_ref}", file=sys.stderr)
    return image_ref
