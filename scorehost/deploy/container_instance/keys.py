"""The API keys the container accepts: from this shell, the keys file, or two new ones written
there (mode 600). ACI keeps them as secure values: never in the portal or in `status`."""

import json
import os
import secrets
import sys

from scorehost.deploy.container_instance.config import ContainerInstanceConfig
from scorehost.deploy.shared.errors import ConfigError
from scorehost.deploy.shared.names import STATE_DIR, state_dir


def api_keys(
    config: ContainerInstanceConfig, environ: dict[str, str], create: bool = True
) -> tuple[str, str] | None:
    """The keys the container accepts: from the shell, the keys file, or (`create`) new ones."""
    if not config.auth_enabled:
        return None
    given = environ.get("SCOREHOST_PRIMARY_KEY"), environ.get("SCOREHOST_SECONDARY_KEY")
    if given[0] and given[1]:
        return given[0], given[1]
    path = config.keys_path
    if path.is_file():
        try:
            stored = json.loads(path.read_text())
            return str(stored["primary"]), str(stored["secondary"])
        except (ValueError, KeyError, TypeError):
            raise ConfigError(f"keys_file: {path} is not {{primary, secondary}} JSON") from None
    if not create:
        raise ConfigError(f"keys_file: {path} not found; set SCOREHOST_PRIMARY_KEY to the key")
    keys = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    if path.parent.name == STATE_DIR:
        state_dir(path.parent.parent)  # with its .gitignore: keys stay out of the user's git
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"primary": keys[0], "secondary": keys[1]}, file)
    print(f"new API keys written to {path} (mode 600)", file=sys.stderr)
    return keys
