"""An upload as it arrived: a temp file in the store's spool directory and what is known of it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from polytask.core.files.names import display_name
from polytask.core.files.sniff import HEAD_BYTES, sniff
from polytask.core.files.store import CHUNK


@dataclass(frozen=True, slots=True)
class Received:
    """One received file. `filename` is already a safe display name (names.py), `content_type`
    sniffed from the bytes; `path` is a temp file the receiver's caller removes (`discard`, or
    `with received:`) once the operation that stores it is done."""

    path: Path
    size: int
    filename: str
    content_type: str
    sha256: str
    field: str = "file"

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __enter__(self) -> Received:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.discard()


class Spool:
    """A temp file being written chunk by chunk, hashed and counted as it grows; the first
    bytes kept for sniffing."""

    def __init__(self, tmp_dir: Path, *, filename: str | None, field: str = "file") -> None:
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        self.path = Path(name)
        self.handle: BinaryIO = os.fdopen(fd, "wb")
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = bytearray()
        self.filename = display_name(filename)
        self.field = field
        self.pending: list[bytes] = []
        self.pending_bytes = 0

    def add(self, data: bytes) -> None:
        """Queue bytes (no I/O: the caller flushes, on a thread if it is on an event loop)."""
        if not data:
            return
        self.size += len(data)
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.pending.append(data)
        self.pending_bytes += len(data)

    def flush(self) -> None:
        pending, self.pending, self.pending_bytes = self.pending, [], 0
        for chunk in pending:
            self.digest.update(chunk)
            self.handle.write(chunk)

    def finish(self) -> Received:
        """Flush, close, sniff: the finished file."""
        self.flush()
        self.handle.close()
        media = sniff(bytes(self.head), filename=self.filename, path=self.path)
        return Received(self.path, self.size, self.filename, media, self.digest.hexdigest(), self.field)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def receive_file(source: Path, *, tmp_dir: Path, filename: str | None = None) -> Received:
    """A local file taken in as an upload (the CLI, imports, tests): copied into the spool
    directory in chunks, so the caller's file is left alone."""
    spool = Spool(tmp_dir, filename=filename if filename is not None else source.name)
    try:
        with source.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                spool.add(chunk)
                spool.flush()
        return spool.finish()
    except BaseException:
        spool.discard()
        raise
