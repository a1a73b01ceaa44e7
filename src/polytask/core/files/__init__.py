"""File storage: one interface (store.py `FileStore`), a local directory by default
(local.py) or an S3-compatible store (s3.py) by configuration; content types told by the
bytes (sniff.py); client file names as metadata only (names.py). Framework-free."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from polytask.core.files.local import LocalStore
from polytask.core.files.names import content_disposition, display_name
from polytask.core.files.received import Received, Spool, receive_file
from polytask.core.files.sniff import HEAD_BYTES, OCTET_STREAM, sniff
from polytask.core.files.store import CHUNK, BlobMissing, FileStore, new_key
from polytask.core.settings import Settings, get_settings

__all__ = [
    "CHUNK",
    "HEAD_BYTES",
    "OCTET_STREAM",
    "BlobMissing",
    "FileFacts",
    "FileStore",
    "LocalStore",
    "Received",
    "Spool",
    "configure_store",
    "content_disposition",
    "current_store",
    "display_name",
    "examine",
    "new_key",
    "receive_file",
    "sniff",
    "store_for",
]


def store_for(settings: Settings) -> FileStore:
    """The store the settings describe (POLYTASK_STORAGE)."""
    if settings.storage == "s3":
        # Imported here: boto3 is loaded only by servers that keep files in S3.
        from polytask.core.files.s3 import S3Store

        assert settings.s3_bucket is not None  # Settings refuses s3 without a bucket
        return S3Store(
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key.get_secret_value()
            if settings.s3_secret_access_key
            else None,
            spool_dir=settings.home / "uploads",
        )
    return LocalStore(settings.files_dir)


_lock = threading.Lock()
_current: FileStore | None = None


def configure_store(store: FileStore) -> None:
    """Make `store` the process's store (the app's settings, at start-up)."""
    global _current
    with _lock:
        _current = store


def current_store() -> FileStore:
    """The process's store: the one configured, else the environment's (POLYTASK_*)."""
    global _current
    with _lock:
        if _current is None:
            _current = store_for(get_settings())
        return _current


@dataclass(frozen=True, slots=True)
class FileFacts:
    size: int
    sha256: str
    content_type: str


def examine(path: Path, *, filename: str = "") -> FileFacts:
    """Size, SHA-256 and sniffed type of a local file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            digest.update(chunk)
            size += len(chunk)
    return FileFacts(size, digest.hexdigest(), sniff(head, filename=filename, path=path))
