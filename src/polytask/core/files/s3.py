"""The S3-compatible store (AWS S3, MinIO, Ceph RGW, ...), through boto3."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from polytask.core.files.store import CHUNK, BlobMissing, valid_key

# Multipart parts of 8 MiB, one at a time: an upload holds one part in memory, not the file.
_TRANSFER = TransferConfig(
    multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, max_concurrency=1, use_threads=False
)
_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Store:
    """Blobs as objects `<prefix><key>` of one bucket; uploads spooled in a local directory."""

    name = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        spool_dir: Path,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self._spool = Path(spool_dir)
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or "us-east-1",
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                signature_version="s3v4",
                retries={"max_attempts": 3, "mode": "standard"},
                # Path-style addressing works with every S3-compatible server; AWS still serves it.
                s3={"addressing_style": "path"} if endpoint_url else {},
            ),
        )

    @property
    def tmp_dir(self) -> Path:
        self._spool.mkdir(parents=True, exist_ok=True)
        return self._spool

    def _object(self, key: str) -> str:
        if not valid_key(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.prefix + key

    def put_file(self, key: str, source: Path, *, content_type: str) -> None:
        # A multipart upload over the threshold, part by part from the file; S3 makes the object
        # visible only once complete (atomic for readers).
        self.client.upload_file(
            str(source), self.bucket, self._object(key), ExtraArgs={"ContentType": content_type}, Config=_TRANSFER
        )

    def open_chunks(self, key: str, *, chunk_size: int = CHUNK) -> Iterator[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._object(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING_CODES:
                raise BlobMissing(key) from None
            raise
        return _stream(response["Body"], chunk_size)

    def delete(self, key: str) -> None:
        # S3 answers a delete of a missing key with success, as this interface wants.
        self.client.delete_object(Bucket=self.bucket, Key=self._object(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._object(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING_CODES:
                return False
            raise
        return True

    def keys_before(self, cutoff: float) -> Iterator[str]:
        # Listed a page (up to 1,000 objects) at a time, under the prefix only.
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", ()):
                key = item["Key"][len(self.prefix) :]
                if valid_key(key) and item["LastModified"].timestamp() < cutoff:
                    yield key

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (tests and first runs against MinIO)."""
        with contextlib.suppress(ClientError):
            self.client.head_bucket(Bucket=self.bucket)
            return
        self.client.create_bucket(Bucket=self.bucket)


def _stream(body: Any, chunk_size: int) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk_size)
    finally:
        body.close()
