"""A local folder into the workspace's default datastore, once: its blobs go under a path named
by the folder's content digest, so an unchanged folder is never sent twice and an asset version
always means the same files."""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SKIPPED = ("__pycache__", ".ipynb_checkpoints")


def folder_files(folder: Path) -> list[Path]:
    """The files to send, sorted: no hidden files, caches or compiled Python."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not any(
            part.startswith(".") or part in _SKIPPED for part in path.relative_to(folder).parts
        )
        and path.suffix != ".pyc"
    )


def digest(folder: Path) -> str:
    """SHA-256 over every file's relative path and bytes (read in chunks: models can be big)."""
    sha = hashlib.sha256()
    for path in folder_files(folder):
        sha.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as file:
            sha.update(hashlib.file_digest(file, "sha256").digest())
    return sha.hexdigest()


def version_of(folder: Path) -> str:
    """The asset version for a folder's contents: its digest's first 16 hex digits."""
    return digest(folder)[:16]


def sha_of_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    """Where a folder's files are: `path` in `datastore`, as an azureml:// URI."""

    datastore: str
    path: str

    @property
    def uri(self) -> str:
        return f"azureml://datastores/{self.datastore}/paths/{self.path}/"


def store(
    folder: Path, kind: str, version: str, datastore: Any, identity: Any, transport: Any | None
) -> Stored:
    """Upload `folder` (kind: code or model; `version`: its version_of) to `datastore` (an
    AzureBlobDatastore with its secrets, as `MLClient.datastores.get_default(include_secrets=
    True)` returns it); a datastore without stored secrets is written with the caller's own
    `identity` (a TokenCredential)."""
    from azure.storage.blob import BlobServiceClient

    stored = Stored(datastore.name, f"scorehost/{kind}/{version}")
    account_url = f"{datastore.protocol}://{datastore.account_name}.blob.{datastore.endpoint}"
    secrets = datastore.credentials
    credential = (
        getattr(secrets, "account_key", None) or getattr(secrets, "sas_token", None) or identity
    )
    options: dict[str, Any] = {"transport": transport} if transport else {}
    with BlobServiceClient(account_url, credential=credential, **options) as service:
        container = service.get_container_client(datastore.container_name)
        for path in folder_files(folder):
            name = f"{stored.path}/{path.relative_to(folder).as_posix()}"
            with path.open("rb") as data:
                container.upload_blob(name, data, overwrite=True)
    return stored
