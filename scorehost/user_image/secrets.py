"""Files that look like credentials: an image is shared, pushed and pulled, so `scorehost build`
leaves these out of it unless the user names them (`--include`). Hidden files (`.env`, `.netrc`,
`.azure/`) never go in at all (see deploy/shared/snapshot.py)."""

from fnmatch import fnmatch
from pathlib import Path

# Anywhere in the folder: keys, certificates with their private halves, keystores, env files.
ANYWHERE = (
    "*.env",
    "*.pem",
    "*.key",
    "*.pfx",
    "*.p12",
    "*.jks",
    "*.keytab",
    "*.secret",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "credentials",
    "credentials.json",
    "secrets.json",
    "secrets.yaml",
    "secrets.yml",
)
# Only at the folder's root: Azure ML's workspace config.json (subscription, resource group,
# workspace) sits there; a model's or a library's own config.json elsewhere is not a secret.
AT_ROOT = ("config.json",)


def looks_secret(relative: Path) -> bool:
    name = relative.name.lower()
    if any(fnmatch(name, pattern) for pattern in ANYWHERE):
        return True
    return len(relative.parts) == 1 and name in AT_ROOT
