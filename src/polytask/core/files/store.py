"""The one storage interface every file goes through, and what its stores share."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

# Bytes read or written at a time: a download holds one chunk, never the whole file.
CHUNK = 64 * 1024


class BlobMissing(LookupError):
    """The store has no blob under this key."""


def new_key() -> str:
    """A fresh storage key: 128 random bits, fanned out over two directory levels. Keys are
    never derived from anything a client sent (its file name is metadata only)."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token[2:4]}/{token}"


def valid_key(key: str) -> bool:
    """Whether `key` is of the form `new_key` makes (checked before touching a path)."""
    parts = key.split("/")
    if len(parts) != 3 or len(parts[2]) != 32:
        return False
    token = parts[2]
    return all(c in "0123456789abcdef" for c in token) and parts[0] == token[:2] and parts[1] == token[2:4]


@runtime_checkable
class FileStore(Protocol):
    """Where blobs live. Writes take a finished local file (the upload receiver's temp file) and
    leave it in place; reads stream in chunks; deletes are idempotent."""

    name: str  # "local" or "s3", for logs and /readyz-style reports

    @property
    def tmp_dir(self) -> Path:
        """Where uploads are spooled before they are stored (created on first use)."""
        ...

    def put_file(self, key: str, source: Path, *, content_type: str) -> None:
        """Store `source`'s bytes under `key` (atomically: a reader sees all or nothing)."""
        ...

    def open_chunks(self, key: str, *, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The blob's bytes in chunks. The blob is opened before this returns (BlobMissing then),
        and closed when the iterator is exhausted or closed."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob; nothing happens when there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def keys_before(self, cutoff: float) -> Iterator[str]:
        """The keys of the blobs written before `cutoff` (seconds since 1970), in no order;
        anything in the store not named as `new_key` names blobs is passed over."""
        ...
