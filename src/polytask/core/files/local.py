"""The local-directory store: `<POLYTASK_HOME>/files` by default."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from polytask.core.files.store import CHUNK, BlobMissing, valid_key


class LocalStore:
    """Blobs as files under `root/<k0>/<k1>/<key>`; uploads spooled in `root/tmp`, on the same
    filesystem, so storing one is a hard link (or a copy) and an atomic rename."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def tmp_dir(self) -> Path:
        path = self.root / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _path(self, key: str) -> Path:
        if not valid_key(key):  # never a path made of anything but our own hex
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    def put_file(self, key: str, source: Path, *, content_type: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir, prefix="put-")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            # The source stays where it is (a unit of work run again stores it again).
            tmp.unlink()
            try:
                os.link(source, tmp)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def open_chunks(self, key: str, *, chunk_size: int = CHUNK) -> Iterator[bytes]:
        try:
            handle = self._path(key).open("rb")
        except FileNotFoundError:
            raise BlobMissing(key) from None
        return _chunks(handle, chunk_size)

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys_before(self, cutoff: float) -> Iterator[str]:
        # Blobs live two levels down (`ab/cd/abcd...`); `tmp/` and anything else is not a key.
        for first in _subdirs(self.root):
            for second in _subdirs(first):
                for blob in _entries(second):
                    key = f"{first.name}/{second.name}/{blob.name}"
                    if not valid_key(key):
                        continue
                    with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
                        if blob.is_file() and blob.stat().st_mtime < cutoff:
                            yield key


def _entries(path: Path) -> list[Path]:
    try:
        return list(path.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def _subdirs(path: Path) -> Iterator[Path]:
    for entry in _entries(path):
        if len(entry.name) == 2 and entry.is_dir():
            yield entry


def _chunks(handle: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(chunk_size):
            yield chunk
