"""A local folder into the workspace's default datastore, once: its blobs go under a path named
by the folder's content digest and ending in the folder's own name (Azure mounts a registered
folder under AZUREML_MODEL_DIR by that last segment), so an unchanged folder is never sent twice
and an asset always means the same files. The files are the folder's snapshot
(scorehost/deploy/shared/snapshot.py: .amlignore or .gitignore, never .venv, .git or keys)."""

import hashlib
from dataclasses import dataclass
from typing import Any

from scorehost.deploy.shared.snapshot import Snapshot


def digest(snapshot: Snapshot) -> str:
    """SHA-256 over every file's relative path and bytes (read in chunks: models can be big)."""
    sha = hashlib.sha256()
    for relative in snapshot.files:
        sha.update(relative.as_posix().encode() + b"\0")
        with (snapshot.folder / relative).open("rb") as file:
            sha.update(hashlib.file_digest(file, "sha256").digest())
    return sha.hexdigest()


def short_digest(snapshot: Snapshot) -> str:
    """A folder's contents in 16 hex digits: where its blobs go, and the tag that finds them."""
    return digest(snapshot)[:16]


def sha_of_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    """Where a folder's files are: `path` in a datastore's blob container."""

    datastore: str
    account_url: str  # https://<account>.blob.core.windows.net
    container: str
    path: str  # ends in the folder's own name

    @property
    def datastore_uri(self) -> str:
        """azureml://datastores/<name>/paths/<path>/, as models are registered."""
        return f"azureml://datastores/{self.datastore}/paths/{self.path}/"

    @property
    def blob_uri(self) -> str:
        """https://<account>.blob.core.windows.net/<container>/<path>, as code assets are
        registered (Microsoft's CodeVersion/createOrUpdate.json example; an azureml:// code
        path is refused: Azure/azure-sdk-for-python issue #42281)."""
        return f"{self.account_url}/{self.container}/{self.path}"


def store(
    snapshot: Snapshot, kind: str, short: str, datastore: Any, identity: Any, transport: Any | None
) -> Stored:
    """Upload `snapshot` (kind: code or model; `short`: its short_digest) to `datastore` (an
    AzureBlobDatastore with its secrets, as `MLClient.datastores.get_default(include_secrets=
    True)` returns it); a datastore without stored secrets is written with the caller's own
    `identity` (a TokenCredential)."""
    from azure.storage.blob import BlobServiceClient

    account_url = f"{datastore.protocol}://{datastore.account_name}.blob.{datastore.endpoint}"
    stored = Stored(
        datastore.name,
        account_url,
        datastore.container_name,
        f"scorehost/{kind}/{short}/{snapshot.folder.name}",
    )
    secrets = datastore.credentials
    credential = (
        getattr(secrets, "account_key", None) or getattr(secrets, "sas_token", None) or identity
    )
    options: dict[str, Any] = {"transport": transport} if transport else {}
    with BlobServiceClient(account_url, credential=credential, **options) as service:
        container = service.get_container_client(datastore.container_name)
        for relative in snapshot.files:
            name = f"{stored.path}/{relative.as_posix()}"
            with (snapshot.folder / relative).open("rb") as data:
                container.upload_blob(name, data, overwrite=True)
    return stored
